"""mtqa: flags likely mistranslations in machine-translated French news."""

__version__ = "0.1.0"
