from django.contrib import admin

from .actions import ORGANIZATION_FIELDS, do_create_organization, do_set_sensitivity_rule, do_update_organization
from .masking import PersonalData
from .models import Contact, Organization, SensitivityRule


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "importance", "plan", "annual_revenue", "renewal_date")
    list_filter = ("importance", "plan")
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        values = {f: form.cleaned_data[f] for f in ORGANIZATION_FIELDS if f in form.cleaned_data}
        if change:
            do_update_organization(Organization.objects.get(pk=obj.pk), actor=request.user, **values)
        else:
            created = do_create_organization(actor=request.user, **values)
            obj.pk, obj._state = created.pk, created._state  # the admin goes on with this object


@admin.register(SensitivityRule)
class SensitivityRuleAdmin(admin.ModelAdmin):
    """Admin overrides of the built-in sensitivity rules (customers/sensitivity.py)."""

    list_display = ("pattern", "sensitivity", "created_by", "created_at")
    fields = ("pattern", "sensitivity")

    def save_model(self, request, obj, form, change):
        saved = do_set_sensitivity_rule(pattern=obj.pattern, sensitivity=obj.sensitivity, actor=request.user)
        obj.pk, obj._state = saved.pk, saved._state  # the admin goes on with this object

    def has_delete_permission(self, request, obj=None):
        return False  # a rule is changed, not removed, so the trail explains every classification


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Contacts as the admin may see them: personal values masked like everywhere else
    (customers/masking.py); found by exact address only. They are created by intake and the API."""

    list_display = ("id", "shown_name", "shown_email", "organization")
    search_fields = ("=email",)
    fields = ("organization", "created_at")
    readonly_fields = ("organization", "created_at")

    def get_queryset(self, request):
        self._privacy = PersonalData(request.user, what="contacts (admin)")
        return super().get_queryset(request).select_related("organization")

    @admin.display(description="name")
    def shown_name(self, contact):
        return self._privacy.contact(contact)["name"]

    @admin.display(description="email")
    def shown_email(self, contact):
        return self._privacy.contact(contact)["email"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
