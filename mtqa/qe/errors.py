"""Errors of the QE model that the CLI reports in one line (kept light: no torch import)."""


class ModelError(RuntimeError):
    """The model cannot be used; the message names the file and how to rebuild it."""
