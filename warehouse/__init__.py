"""Warehouse: raw → core → marts schemas, loaded idempotently one issue at a time."""
