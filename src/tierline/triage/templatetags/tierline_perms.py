"""`user|has_permission:"name"` for templates, asking tierline.accounts.permissions."""

from django import template

from tierline.accounts.permissions import has_perm

register = template.Library()


@register.filter
def has_permission(user, permission: str) -> bool:
    return has_perm(user, permission)
