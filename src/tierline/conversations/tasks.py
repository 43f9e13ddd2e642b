"""Background work for conversations. Thin: load by id, decide, hand over to the mail path."""

from huey.contrib.djhuey import db_task

from tierline.issues.models import Comment

from .models import Conversation


@db_task()
def email_reply_if_still_away(comment_id: int) -> None:
    """An agent's reply sent while the customer was just leaving: mail it unless they came back."""
    from .delivery import send_email

    comment = Comment.objects.filter(pk=comment_id, is_public=True).first()
    conversation = Conversation.objects.filter(issue_id=comment.issue_id).first() if comment else None
    if conversation is None:
        return
    if conversation.sockets_open > 0 or conversation.customer_seen_at > comment.created_at:
        return  # came back to the widget, which showed the reply with the conversation's history
    send_email(comment.pk)
