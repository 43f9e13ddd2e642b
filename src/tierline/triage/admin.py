"""Admin page for routing rules. Creating, changing and deleting go through the actions; their
checks run in the form, so a refusal shows on the field."""

from django.contrib import admin

from tierline.escalation.admin import ActionAdmin, CheckedForm

from .actions import check_routing_rule, do_create_routing_rule, do_delete_routing_rule, do_update_routing_rule
from .models import RoutingRule

FIELDS = ("name", "position", "team", "keywords", "labels", "is_active")


class RoutingRuleForm(CheckedForm):
    class Meta:
        model = RoutingRule
        fields = FIELDS

    def check(self, instance):
        if instance.team_id:
            check_routing_rule(instance)


@admin.register(RoutingRule)
class RoutingRuleAdmin(ActionAdmin):
    form = RoutingRuleForm
    list_display = ("name", "position", "team", "keywords", "labels", "is_active")
    delete_action = do_delete_routing_rule

    def save_model(self, request, obj, form, change):
        values = {f: getattr(obj, f) for f in FIELDS}
        saved = do_update_routing_rule(obj, **values) if change else do_create_routing_rule(**values)
        obj.pk, obj._state = saved.pk, saved._state
