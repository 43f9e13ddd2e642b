"""Admin pages for the ladder's configuration. Saves go through the actions; SLA and escalation
policies are replaced rather than edited, so a clock's history keeps meaning what it meant."""

from django import forms
from django.contrib import admin

from .actions import do_set_questionnaire
from .models import BusinessCalendar, EscalationPolicy, Questionnaire, SlaPolicy, StepAction, TeamOnCall
from .sla import do_create_business_calendar, do_create_escalation_policy, do_create_sla_policy, do_set_team_on_call


def _adopt(obj, created) -> None:
    obj.pk, obj._state = created.pk, created._state  # the admin goes on with this object


class CreateOnlyAdmin(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(CreateOnlyAdmin):
    list_display = ("name", "time_zone", "workday_start", "workday_end")

    def save_model(self, request, obj, form, change):
        _adopt(obj, do_create_business_calendar(
            name=obj.name, time_zone=obj.time_zone, workday_start=obj.workday_start, workday_end=obj.workday_end,
            weekdays=obj.weekdays or [0, 1, 2, 3, 4], holidays=obj.holidays or []))


@admin.register(SlaPolicy)
class SlaPolicyAdmin(CreateOnlyAdmin):
    list_display = ("name", "plan", "priority", "first_response_minutes", "next_response_minutes",
                    "resolution_minutes", "calendar")

    def save_model(self, request, obj, form, change):
        _adopt(obj, do_create_sla_policy(
            name=obj.name, plan=obj.plan, priority=obj.priority, calendar=obj.calendar,
            first_response_minutes=obj.first_response_minutes, next_response_minutes=obj.next_response_minutes,
            resolution_minutes=obj.resolution_minutes))


class EscalationPolicyForm(forms.ModelForm):
    actions = forms.MultipleChoiceField(choices=StepAction.choices, widget=forms.CheckboxSelectMultiple,
                                        help_text="Run in this order")

    class Meta:
        model = EscalationPolicy
        fields = ("name", "trigger", "clock_kind", "is_active")


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(CreateOnlyAdmin):
    form = EscalationPolicyForm
    list_display = ("name", "trigger", "clock_kind", "is_active")

    def save_model(self, request, obj, form, change):
        _adopt(obj, do_create_escalation_policy(name=obj.name, trigger=obj.trigger, clock_kind=obj.clock_kind,
                                                actions=list(form.cleaned_data["actions"])))


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
