"""Admin pages for the ladder's configuration. Creating, changing and deleting go through the
actions (so a calendar or policy change re-plans its clocks); their validation runs in the form,
so a refusal shows on the field instead of failing the save."""

from django import forms
from django.contrib import admin

from tierline.errors import InvalidInput

from .actions import do_set_questionnaire
from .models import BusinessCalendar, EscalationPolicy, Questionnaire, SlaPolicy, StepAction, TeamOnCall
from .sla import (
    check_business_calendar,
    check_escalation_policy,
    check_sla_policy,
    do_create_business_calendar,
    do_create_escalation_policy,
    do_create_sla_policy,
    do_delete_business_calendar,
    do_delete_escalation_policy,
    do_delete_sla_policy,
    do_set_team_on_call,
    do_update_business_calendar,
    do_update_escalation_policy,
    do_update_sla_policy,
)

STEP_FIELDS = ["step_1", "step_2", "step_3", "step_4"]  # one per kind of step


def _adopt(obj, saved) -> None:
    obj.pk, obj._state = saved.pk, saved._state  # the admin goes on with this object


class CheckedForm(forms.ModelForm):
    """Runs the action's own checks on the instance the form built."""

    def check(self, instance) -> None:
        """Each form names its action's checks here; the action checks again when it saves."""

    def _post_clean(self):
        super()._post_clean()
        try:
            self.check(self.instance)
        except InvalidInput as error:
            for field, message in (error.fields or {None: error.detail}).items():
                self.add_error(field if field in self.fields else None, message)


class ActionAdmin(admin.ModelAdmin):
    """Deletes through `delete_action`, one object at a time, also from the list's bulk delete."""

    delete_action = None

    def delete_model(self, request, obj):
        type(self).delete_action(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            type(self).delete_action(obj)


class BusinessCalendarForm(CheckedForm):
    class Meta:
        model = BusinessCalendar
        fields = ("name", "time_zone", "workday_start", "workday_end", "weekdays", "holidays")

    def check(self, instance):
        check_business_calendar(instance)


CALENDAR_FIELDS = BusinessCalendarForm.Meta.fields


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(ActionAdmin):
    form = BusinessCalendarForm
    list_display = ("name", "time_zone", "workday_start", "workday_end")
    delete_action = do_delete_business_calendar

    def save_model(self, request, obj, form, change):
        values = {f: getattr(obj, f) for f in CALENDAR_FIELDS}
        if change:
            _adopt(obj, do_update_business_calendar(obj, **values))
        else:
            _adopt(obj, do_create_business_calendar(**values))


class SlaPolicyForm(CheckedForm):
    class Meta:
        model = SlaPolicy
        fields = ("name", "plan", "priority", "first_response_minutes", "next_response_minutes",
                  "resolution_minutes", "calendar")

    def check(self, instance):
        check_sla_policy(instance)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ActionAdmin):
    form = SlaPolicyForm
    list_display = ("name", "plan", "priority", "first_response_minutes", "next_response_minutes",
                    "resolution_minutes", "calendar")
    delete_action = do_delete_sla_policy

    def save_model(self, request, obj, form, change):
        values = {f: getattr(obj, f) for f in SlaPolicyForm.Meta.fields}
        if change:
            _adopt(obj, do_update_sla_policy(obj, **values))
        else:
            _adopt(obj, do_create_sla_policy(**values))


def _step_field(n: int) -> forms.ChoiceField:
    return forms.ChoiceField(choices=[("", "—"), *StepAction.choices], required=n == 1, label=f"Step {n}")


class EscalationPolicyForm(CheckedForm):
    """The ordered steps as one choice per position (empty positions are skipped)."""

    step_1, step_2, step_3, step_4 = (_step_field(n) for n in range(1, 5))

    class Meta:
        model = EscalationPolicy
        fields = ("name", "trigger", "clock_kind", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = list(self.instance.steps.values_list("action", flat=True)) if self.instance.pk else []
        for name, action in zip(STEP_FIELDS, current, strict=False):
            self.fields[name].initial = action

    def step_actions(self) -> list[str]:
        return [self.cleaned_data[name] for name in STEP_FIELDS if self.cleaned_data.get(name)]

    def check(self, instance):
        check_escalation_policy(instance, self.step_actions())


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(ActionAdmin):
    form = EscalationPolicyForm
    list_display = ("name", "trigger", "clock_kind", "is_active")
    delete_action = do_delete_escalation_policy

    def save_model(self, request, obj, form, change):
        values = {f: getattr(obj, f) for f in EscalationPolicyForm.Meta.fields}
        if change:
            _adopt(obj, do_update_escalation_policy(obj, actions=form.step_actions(), **values))
        else:
            _adopt(obj, do_create_escalation_policy(actions=form.step_actions(), **values))


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("component", "updated_at")
    fields = ("component", "schema")

    def save_model(self, request, obj, form, change):
        _adopt(obj, do_set_questionnaire(obj.component, obj.schema))


@admin.register(TeamOnCall)
class TeamOnCallAdmin(admin.ModelAdmin):
    list_display = ("team", "lead", "page_email", "webhook_url")

    def save_model(self, request, obj, form, change):
        _adopt(obj, do_set_team_on_call(obj.team, lead=obj.lead, page_email=obj.page_email,
                                        webhook_url=obj.webhook_url))
