"""Agents of customers' services, the probes engineers set on them from an issue, and their hits."""
