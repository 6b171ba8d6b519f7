"""Cluster-mode fixtures (defined in `nodes.py`, shared with the tests that start nodes)."""

from cluster.nodes import fresh_postgres, postgres_template, redis_url

__all__ = ["fresh_postgres", "postgres_template", "redis_url"]
