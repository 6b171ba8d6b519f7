"""Salon: a self-hosted video meetings API for embedding, wire-compatible with Whereby Embedded."""

__version__ = "0.1.0"
