"""Prometheus metrics: counters bumped where something happens (`events`), gauges read from live
state at scrape time (`collectors`), HTTP by route template (`http`), and the `/metrics` page."""
