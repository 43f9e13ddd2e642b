"""Template filters that show people through the page's `PersonalData` (customers/masking.py):
`{{ issue.requester|contact_label:privacy }}`, `{{ event|event_actor:privacy }}`,
`{{ comment|comment_author:privacy }}`, `{{ event.data.recipient|personal:privacy }}`."""

from django import template

from tierline.customers.sensitivity import MASK

register = template.Library()


@register.filter
def contact_label(contact, privacy) -> str:
    return privacy.contact_label(contact) if privacy is not None and contact is not None else (
        "" if contact is None else MASK)


@register.filter
def event_actor(event, privacy) -> str:
    if privacy is None:
        return event.actor.display_name if event.actor_id and event.actor.is_staff_member else (
            "Tierline" if not (event.actor_id or event.actor_contact_id) else MASK)
    if not (event.actor_id or event.actor_contact_id):
        return "Tierline"
    return privacy.person_label(event.actor, event.actor_contact)


@register.filter
def comment_author(comment, privacy) -> str:
    if not (comment.author_id or comment.author_contact_id):
        return "Tierline"
    if privacy is None:
        return comment.author.display_name if comment.author_id and comment.author.is_staff_member else MASK
    return privacy.person_label(comment.author, comment.author_contact)


@register.filter
def personal(value, privacy) -> str:
    if value in (None, ""):
        return value
    return privacy.personal(value) if privacy is not None else MASK
