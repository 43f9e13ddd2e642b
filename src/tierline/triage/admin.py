"""Admin page for routing rules. Saves go through the action; rules are replaced, not edited."""

from django.contrib import admin

from .actions import do_create_routing_rule
from .models import RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "team", "keywords", "labels", "is_active")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        created = do_create_routing_rule(name=obj.name, team=obj.team, keywords=obj.keywords or [],
                                         labels=obj.labels or [], position=obj.position)
        obj.pk, obj._state = created.pk, created._state
