"""kvali: qualitative coding of Danish interviews, survey comments and reports."""

__version__ = "0.1.0"
