"""Objectives in /admin/: every save and delete goes through the audited actions."""

from django import forms
from django.contrib import admin

from tierline.customers.models import Plan
from tierline.errors import InvalidInput

from .actions import do_remove_objective, do_set_objective, parse_target
from .models import Objective


class ObjectiveForm(forms.ModelForm):
    plan = forms.ChoiceField(choices=[("", "---------"), *Plan.choices], required=False)

    class Meta:
        model = Objective
        fields = ("plan", "organization", "component", "target")

    def clean(self):
        data = super().clean()
        if sum(bool(data.get(f)) for f in ("plan", "organization", "component")) != 1:
            raise forms.ValidationError("Choose exactly one of plan, organization and component.")
        try:
            data["target"] = parse_target(data.get("target"))
        except InvalidInput as error:
            self.add_error("target", error.fields["target"])
        return data


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    form = ObjectiveForm
    list_display = ("__str__", "target", "updated_by", "updated_at")

    def save_model(self, request, obj, form, change):
        if change:  # the subject may have been edited too: the old one is removed, audited
            old = Objective.objects.get(pk=obj.pk)
            if (old.plan, old.organization_id, old.component_id) != (obj.plan, obj.organization_id, obj.component_id):
                do_remove_objective(old, actor=request.user)
        saved = do_set_objective(actor=request.user, target=obj.target, plan=obj.plan,
                                 organization=obj.organization, component=obj.component)
        obj.pk, obj._state = saved.pk, saved._state  # the admin goes on with this object

    def delete_model(self, request, obj):
        do_remove_objective(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for objective in queryset:
            do_remove_objective(objective, actor=request.user)
