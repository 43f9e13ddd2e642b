"""`{% conversation_panel issue %}` on the desk issue page: the chat's context (page, browser, app
version, identity) and the messages arriving live. An inclusion tag, so the issues app's view
does not need to know about conversations."""

from django import template

from ..models import Conversation

register = template.Library()


@register.inclusion_tag("conversations/_panel.html")
def conversation_panel(issue):
    if issue.channel != "chat":
        return {"conversation": None}
    conversation = Conversation.objects.select_related("chat_key").filter(issue=issue).first()
    return {"issue": issue, "conversation": conversation,
            "is_online": conversation is not None and conversation.sockets_open > 0}
