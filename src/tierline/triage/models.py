"""Routing rules: where a new issue goes when its component does not decide it."""

from django.db import models


class RoutingRule(models.Model):
    """Sends a new issue to a team when any keyword is in its title or description, or it
    carries any of the labels. Rules are tried by `position`; the first match wins."""

    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=100)
    keywords = models.JSONField(default=list, blank=True)  # lower-case words or phrases
    labels = models.JSONField(default=list, blank=True)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="routing_rules")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    def matches(self, text: str, labels: set[str]) -> bool:
        return bool(labels & set(self.labels)) or any(k in text for k in self.keywords)
