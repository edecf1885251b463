"""A full-text search service for news archives."""

__version__ = "0.1.0"
