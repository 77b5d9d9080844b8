"""Contracts of the reporting service (its HTTP answers; it publishes no integration events yet)."""
PUBLISHED: dict = {}
