from django.contrib import admin

from .actions import do_create_component, do_update_component
from .models import Component


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ("name", "owner_team")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        if change:
            do_update_component(obj, name=obj.name, slug=obj.slug, owner_team=obj.owner_team)
        else:
            created = do_create_component(name=obj.name, slug=obj.slug, owner_team=obj.owner_team)
            obj.pk, obj._state = created.pk, created._state  # the admin goes on with this object
