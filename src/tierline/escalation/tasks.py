"""Escalation background work (filled in below)."""
