"""`tierline smtpd`: an SMTP listener (aiosmtpd) that accepts mail for the intake addresses
and stores each message for the worker. It answers 250 only once the raw message is stored."""

import asyncio
import logging

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import close_old_connections, connection

from .models import InboundKind

log = logging.getLogger(__name__)


def store_mail(raw: bytes, source: str) -> int:
    from .actions import do_receive_message

    close_old_connections()  # this runs on a worker thread of the SMTP server
    try:
        return do_receive_message(kind=InboundKind.EMAIL, source=source, raw=raw).pk
    finally:
        connection.close()  # the thread may not come back; keep no connection of its own open


class IntakeHandler:
    def __init__(self, addresses: list[str] | None = None):
        self.addresses = {a.lower() for a in (addresses or settings.INTAKE_ADDRESSES)}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() not in self.addresses:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        try:
            message_id = await asyncio.to_thread(store_mail, raw, "smtp")
        except Exception:  # the sender keeps the message and retries; we lose nothing
            log.exception("could not store an inbound message")
            return "451 4.3.0 Temporary failure, try again later"
        return f"250 2.0.0 Stored as {message_id}"


def start_smtpd(host: str | None = None, port: int | None = None, addresses: list[str] | None = None) -> Controller:
    controller = Controller(
        IntakeHandler(addresses), hostname=host or settings.SMTPD_HOST, port=port or settings.SMTPD_PORT,
        data_size_limit=settings.MAIL_MAX_BYTES, decode_data=False,
    )
    controller.start()
    return controller
