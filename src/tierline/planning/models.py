"""Unplanned work: time logged on issues, teams' weekly budgets, the forecast of escalations and hours."""
