"""Background work for intake. Thin: load by id, call an action."""

from django.db import DEFAULT_DB_ALIAS
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tierline.bulk import column_list, read_rows

from .actions import do_process_message
from .models import AlertIntegration, InboundKind, InboundMessage, InboundStatus


@db_task(retries=2, retry_delay=10)
def process_inbound_message(message_id: int) -> None:
    # A payload another task already took with its integration's batch is done: nothing more to
    # read. Plain SQL, cheap to build, as this runs once per payload; other fields load when used.
    # The integration comes with it (one round trip, not two): the integration's row with the
    # message's columns, its own all null for a mail.
    found = read_rows(
        AlertIntegration,
        f"SELECT {column_list(AlertIntegration, 'i')}, m.id AS message_id, m.kind AS message_kind,"
        " m.status AS message_status, m.integration_id AS message_integration_id, m.attempts AS message_attempts"
        " FROM intake_inboundmessage m LEFT JOIN intake_alertintegration i ON i.id = m.integration_id"
        " WHERE m.id = %s AND m.status = %s",
        [message_id, InboundStatus.PENDING])
    if not found:
        return
    row = found[0]
    if row.message_kind == InboundKind.EMAIL:
        message = InboundMessage.objects.get(pk=row.message_id)  # a mail is read whole
    else:
        message = InboundMessage.from_db(
            DEFAULT_DB_ALIAS, ["id", "kind", "status", "integration_id", "attempts"],
            [row.message_id, row.message_kind, row.message_status, row.message_integration_id, row.message_attempts])
        if row.pk is not None:
            message.integration = row
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
