"""Analytics of issues: inflow, response and resolution times, escalations, the long tail, hotspots, customer health.

The tables here are derived data, never a source of truth: one `IssueFact` per issue, computed from
the issue, its timeline, its SLA clocks and its problem links (`facts.py`), so that every page reads
one narrow, indexed table instead of the timeline. Rebuilding them from scratch gives the same rows.
"""

from django.db import models


class SlaOutcome(models.TextChoices):
    MET = "met", "Met"
    BREACHED = "breached", "Breached"
    RUNNING = "running", "Not decided yet"
    NONE = "", "No clock"


class IssueFact(models.Model):
    """One issue as the analytics see it. Durations are wall-clock minutes (see `facts.py`)."""

    issue = models.OneToOneField("issues.Issue", primary_key=True, on_delete=models.CASCADE, related_name="fact")
    created_at = models.DateTimeField()
    created_week = models.DateField()  # the Monday (UTC) of the week it was created
    channel = models.CharField(max_length=16)
    organization = models.ForeignKey("customers.Organization", null=True, on_delete=models.CASCADE,
                                     related_name="+")
    team = models.ForeignKey("accounts.Team", null=True, on_delete=models.SET_NULL, related_name="+")
    component = models.ForeignKey("issues.Component", null=True, on_delete=models.SET_NULL, related_name="+")
    priority = models.PositiveSmallIntegerField()
    tier = models.PositiveSmallIntegerField()  # where it is now
    max_tier = models.PositiveSmallIntegerField()  # the highest tier it reached
    # Bit N set: the issue stood at tier N / was escalated from tier N at some point.
    tiers_reached = models.PositiveSmallIntegerField(default=0)
    tiers_escalated_from = models.PositiveSmallIntegerField(default=0)
    is_open = models.BooleanField()
    resolved_at = models.DateTimeField(null=True)
    first_response_minutes = models.FloatField(null=True)
    resolution_minutes = models.FloatField(null=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    escalations = models.PositiveSmallIntegerField(default=0)
    de_escalations = models.PositiveSmallIntegerField(default=0)
    hand_offs = models.PositiveSmallIntegerField(default=0)  # escalations + de-escalations + team changes
    teams_touched = models.PositiveSmallIntegerField(default=0)
    problem_id = models.IntegerField(null=True)  # the first problem it was linked to
    first_response_sla = models.CharField(max_length=8, choices=SlaOutcome.choices, blank=True)
    next_response_sla = models.CharField(max_length=8, choices=SlaOutcome.choices, blank=True)
    resolution_sla = models.CharField(max_length=8, choices=SlaOutcome.choices, blank=True)
    breached_clocks = models.PositiveSmallIntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["created_week", "channel"], name="fact_week_channel_idx"),
            # PostgreSQL reads a period's durations from this index alone (other databases skip it).
            models.Index(fields=["created_at"], name="fact_period_idx",
                         include=["priority", "max_tier", "team_id", "first_response_minutes", "resolution_minutes"]),
            models.Index(fields=["created_at"], name="fact_created_idx"),
            models.Index(fields=["component", "created_at"], name="fact_component_idx"),
            models.Index(fields=["team", "created_at"], name="fact_team_idx"),
            models.Index(fields=["is_open", "created_at"], name="fact_open_age_idx"),
            models.Index(fields=["organization", "created_at"], name="fact_org_idx"),
            models.Index(fields=["problem_id"], name="fact_problem_idx"),
        ]


class TableSnapshot(models.Model):
    """One analytics table computed for one set of filters over the facts as of `facts_until`:
    the worker computes the default views after each refresh, so the pages most people open read
    one row; any other filters are computed from the facts (and kept until the next refresh)."""

    name = models.CharField(max_length=40)
    params = models.CharField(max_length=200)  # the filters, as a query string
    facts_until = models.DateTimeField()
    rows = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "params"], name="table_snapshot_once")]


class RefreshMark(models.Model):
    """Until when the worker has refreshed facts: the next run starts a little before it."""

    name = models.CharField(max_length=32, unique=True)
    refreshed_until = models.DateTimeField()
