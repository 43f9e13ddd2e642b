"""`tierline mail poll`: fetch unseen mail from an IMAP mailbox, store each message, then mark it
seen. A message is flagged only after it is stored, so a crash in between fetches it again and
the Message-ID check in processing keeps it from becoming a second issue."""

import imaplib
from dataclasses import dataclass

from django.conf import settings

from .models import InboundKind


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    use_ssl: bool = False

    @classmethod
    def from_settings(cls) -> "Mailbox | None":
        if not settings.IMAP_HOST:
            return None
        return cls(settings.IMAP_HOST, settings.IMAP_PORT, settings.IMAP_USER, settings.IMAP_PASSWORD,
                   settings.IMAP_FOLDER, settings.IMAP_SSL)


def poll_mailbox(mailbox: Mailbox, limit: int = 500) -> int:
    """Store up to `limit` unseen messages; returns how many were stored."""
    from .actions import do_receive_message

    client_class = imaplib.IMAP4_SSL if mailbox.use_ssl else imaplib.IMAP4
    stored = 0
    with client_class(mailbox.host, mailbox.port) as client:
        client.login(mailbox.user, mailbox.password)
        client.select(mailbox.folder)
        _, data = client.uid("SEARCH", None, "UNSEEN")
        for uid in (data[0] or b"").split()[:limit]:
            _, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if raw is None:
                continue
            do_receive_message(kind=InboundKind.EMAIL, source=f"imap:{mailbox.folder}"[:100], raw=raw)
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            stored += 1
        client.logout()
    return stored
