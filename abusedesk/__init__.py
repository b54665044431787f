"""abusedesk: the abuse desk of a hosting provider."""

__version__ = "0.1.0"
