"""Background work for intake. Thin: load by id, call an action."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tierline.bulk import read_rows

from .actions import do_process_message
from .models import InboundKind, InboundMessage, InboundStatus


@db_task(retries=2, retry_delay=10)
def process_inbound_message(message_id: int) -> None:
    # A payload another task already took with its integration's batch is done: nothing more to
    # read. Plain SQL, cheap to build, as this runs once per payload; other fields load when used.
    found = read_rows(
        InboundMessage,
        "SELECT id, kind, status, integration_id, attempts FROM intake_inboundmessage WHERE id = %s AND status = %s",
        [message_id, InboundStatus.PENDING])
    message = found[0] if found else None
    if message is not None and message.kind == InboundKind.EMAIL:
        message = InboundMessage.objects.get(pk=message.pk)  # a mail is read whole
    if message is not None:
        do_process_message(message)


@db_periodic_task(crontab(minute="*/5"))
def process_forgotten_alert_payloads() -> None:
    from .actions import do_process_forgotten_alert_payloads

    do_process_forgotten_alert_payloads()


@db_periodic_task(crontab(minute="*"))
def poll_configured_mailbox() -> None:
    from .imap import Mailbox, poll_mailbox

    mailbox = Mailbox.from_settings()
    if mailbox is not None:
        poll_mailbox(mailbox)


@db_periodic_task(crontab(minute="*"))
def index_changed_issues() -> None:
    from .similar import catch_up, link_new_near_duplicates

    catch_up()
    link_new_near_duplicates()
