"""The run summary (summary.json), its markdown rendering and GitHub publishing."""
