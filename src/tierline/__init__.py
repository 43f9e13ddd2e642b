"""Tierline: carry a customer issue from the first report to the line of code that explains it."""

__version__ = "0.1.0"
