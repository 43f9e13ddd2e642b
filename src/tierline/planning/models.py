"""Unplanned work: time logged on issues, teams' weekly budgets, the forecast of escalations and hours.

`TimeEntry` is time an engineer logged on an issue (derived time is never stored: `effort.py`
computes it from the timeline when it is read). `TeamBudget` is a team's unplanned-work budget
from a date on; a change adds a row, so the history stays.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TimeEntry(models.Model):
    """Minutes one engineer spent on one issue on one day, for one team."""

    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="time_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="time_entries")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="time_entries")
    minutes = models.PositiveIntegerField()
    spent_on = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Removed entries are kept (the timeline names them) but no longer count.
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["spent_on", "id"]
        indexes = [
            models.Index(fields=["issue", "spent_on"], name="time_issue_idx"),
            models.Index(fields=["spent_on"], name="time_spent_idx"),
        ]

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class TeamBudget(models.Model):
    """`hours` of unplanned work per `period_weeks` (1: a week; 2: a two-week sprint), in force
    from the week containing `starts_on` until a later budget starts."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="unplanned_budgets")
    hours = models.DecimalField(max_digits=8, decimal_places=2)
    period_weeks = models.PositiveSmallIntegerField(default=1)
    starts_on = models.DateField()
    reason = models.CharField(max_length=500, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["team", "starts_on", "id"]
        indexes = [models.Index(fields=["team", "starts_on", "id"], name="budget_team_idx")]

    @property
    def weekly_hours(self) -> float:
        return float(self.hours) / self.period_weeks
