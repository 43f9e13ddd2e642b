"""The components issues are filed under, each owned by a team."""



from tierline.accounts.models import Team
from tierline.errors import InvalidInput

from ..models import (
    Component,
)


def do_create_component(*, name: str, slug: str = "", owner_team: Team | None = None) -> Component:
    from django.utils.text import slugify

    name = name.strip()
    if not name:
        raise InvalidInput("A component needs a name", {"name": "required"})
    slug = slug or slugify(name)
    if Component.objects.filter(slug=slug).exists():
        raise InvalidInput("A component with this name exists", {"name": "already taken"})
    return Component.objects.create(name=name, slug=slug, owner_team=owner_team)


def do_update_component(component: Component, *, name: str, slug: str, owner_team: Team | None) -> Component:
    if not name.strip():
        raise InvalidInput("A component needs a name", {"name": "required"})
    component.name, component.slug, component.owner_team = name.strip(), slug, owner_team
    component.save(update_fields=["name", "slug", "owner_team"])
    return component
