"""Durable background jobs: a table any node may claim from, resumed after a restart."""
