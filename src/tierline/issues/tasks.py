"""Background work for issues. Thin: load by id, do the work, record it through an action."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from huey.contrib.djhuey import db_task

from .actions import do_record_notification
from .models import Comment


@db_task(retries=3, retry_delay=30)
def notify_requester_of_reply(comment_id: int) -> None:
    comment = (
        Comment.objects.select_related("issue", "issue__requester", "author")
        .filter(pk=comment_id, is_public=True).first()
    )
    if comment is None or comment.issue.requester is None:
        return
    issue = comment.issue
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "tierline.localhost"
    message_id = make_msgid(idstring=f"{issue.key}.{comment.pk}", domain=domain)
    # In-Reply-To and References name the conversation so far, so the reply threads back.
    from tierline.intake.actions import do_remember_mail_id, outbound_headers

    threading = outbound_headers(issue)
    message = EmailMessage(
        subject=f"[{issue.key}] {issue.title}",
        body=f"{comment.body}\n\n-- \n{comment.author_name}\n{settings.BASE_URL}/portal/issues/{issue.key}",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[issue.requester.email],
        headers={"Message-ID": message_id, **threading},
    )
    message.send()
    do_remember_mail_id(message_id=message_id, issue=issue, comment=comment, direction="out",
                        recipient=issue.requester.email)
    do_record_notification(issue, comment=comment, recipient=issue.requester.email, message_id=message_id)
