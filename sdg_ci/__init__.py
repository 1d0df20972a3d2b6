"""sdg_ci: validate an InstructLab-style taxonomy and grow scored synthetic data from its changes."""

__version__ = "0.1.0"
