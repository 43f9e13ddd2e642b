"""Admin pages for people and teams. Saves go through the actions, like every other write."""

from django.contrib import admin

from .actions import do_create_team, do_create_user, do_set_team_members, do_update_team, do_update_user
from .models import ApiToken, Team, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "role", "organization", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("email", "name")
    fields = ("email", "name", "role", "organization", "is_active")

    def get_readonly_fields(self, request, obj=None):
        return ("email", "organization") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            # The form has already changed obj; the action compares against the stored row.
            do_update_user(User.objects.get(pk=obj.pk), role=obj.role, name=obj.name, is_active=obj.is_active,
                           actor=request.user)
        else:
            created = do_create_user(email=obj.email, role=obj.role, name=obj.name, organization=obj.organization,
                                     actor=request.user)
            obj.pk, obj._state = created.pk, created._state  # the admin goes on with this object


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "tier")
    fields = ("name", "slug", "tier", "members")
    filter_horizontal = ("members",)

    def save_model(self, request, obj, form, change):
        if change:
            do_update_team(obj, name=obj.name, slug=obj.slug, tier=obj.tier)
        else:
            created = do_create_team(name=obj.name, slug=obj.slug, tier=obj.tier)
            obj.pk, obj._state = created.pk, created._state  # the admin goes on with this object

    def save_related(self, request, form, formsets, change):
        do_set_team_members(form.instance, form.cleaned_data["members"], actor=request.user)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("token_hash",)

    def has_add_permission(self, request):
        return False  # tokens are created with `tierline token create`, which shows the secret once
