"""pmjournal: a product manager's record of who decided what."""

__version__ = "0.1.0"
