"""sdg_ci: validate an InstructLab-style taxonomy; grow scored synthetic data from its changes."""

__version__ = "0.1.0"
