"""Outages and service-level objectives: availability per customer and component, error budgets."""
