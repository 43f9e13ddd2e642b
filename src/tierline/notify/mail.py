"""The satisfaction survey's email: sent by the worker once an issue is resolved, threaded into the
issue's conversation like every reply (`intake.actions.outbound_headers`), and noted on the timeline
as a notification."""

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.db import transaction

from tierline.issues.models import Issue, Status

from .surveys import resolutions, survey_message


def do_send_satisfaction_survey(issue_id: int, resolved_at: str) -> bool:
    """Mail the survey of one resolution round, unless the issue moved on (reopened, resolved again:
    that round has its own mail) or has nobody to ask. True when a mail was sent."""
    from tierline.intake.actions import do_remember_mail_id, outbound_headers
    from tierline.issues.actions import do_record_notification

    issue = Issue.objects.select_related("requester").filter(pk=issue_id).first()
    if (issue is None or issue.status != Status.RESOLVED or issue.resolved_at is None
            or issue.resolved_at != datetime.fromisoformat(resolved_at) or issue.requester is None
            or not issue.requester.email):
        return False
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "tierline.localhost"
    message_id = make_msgid(idstring=f"{issue.key}.survey", domain=domain)
    message = EmailMessage(
        subject=f"[{issue.key}] How did we do? {issue.title}", body=survey_message(issue),
        from_email=settings.DEFAULT_FROM_EMAIL, to=[issue.requester.email],
        headers={"Message-ID": message_id, **outbound_headers(issue)},
    )
    message.send()
    do_remember_mail_id(message_id=message_id, issue=issue, comment=None, direction="out",
                        recipient=issue.requester.email)
    do_record_notification(issue, comment=None, recipient=issue.requester.email, message_id=message_id)
    return True


def queue_satisfaction_surveys(sender, events, **kwargs) -> None:
    """`events_recorded` listener: each issue just resolved gets its survey after the commit."""
    if not settings.SATISFACTION_SURVEY:
        return
    from .tasks import send_satisfaction_survey

    for issue_id, resolved_at in resolutions(events).items():
        stamp = resolved_at.isoformat()
        transaction.on_commit(lambda issue_id=issue_id, stamp=stamp: send_satisfaction_survey(issue_id, stamp))
