"""The leaf kinds as declarative flows and the one runner they share (`pipeline.py`)."""
