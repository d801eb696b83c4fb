"""Backlinks: a self-hostable backlink checker."""

__version__ = "0.1.0"
