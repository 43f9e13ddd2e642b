"""Rows the role table needs for the intake endpoints."""

import itertools

from tierline.intake.actions import do_create_integration, do_process_message, do_receive_message
from tierline.intake.models import InboundKind

_seq = itertools.count(1)


def make_intake_ids() -> dict:
    """An integration and a quarantined message, as URL parts."""
    integration = do_create_integration(slug=f"monitor-{next(_seq)}", source="generic")
    message = do_receive_message(kind=InboundKind.EMAIL, source="smtp", raw=b"not a mail")
    do_process_message(message)
    return {"source": integration.slug, "slug": integration.slug, "message_id": message.pk}
