from email.message import EmailMessage
from pathlib import Path

import pytest

from tierline.intake.actions import do_receive_message
from tierline.intake.models import InboundKind

FIXTURES = Path(__file__).parent.parent / "fixtures"


def fixture_bytes(*parts: str) -> bytes:
    return FIXTURES.joinpath(*parts).read_bytes()


def make_mail(*, sender="dana@acme.example", subject="Export fails", body="The CSV export fails.",
              to="support@tierline.localhost", message_id=None, headers=None, html=None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html is not None:
        message.clear_content()
        message.set_content(html, subtype="html")
    return message.as_bytes()


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """Receive raw mail the way the SMTP listener does, and run the worker's processing."""
    def deliver(raw: bytes, source: str = "smtp"):
        with django_capture_on_commit_callbacks(execute=True):
            message = do_receive_message(kind=InboundKind.EMAIL, source=source, raw=raw)
        message.refresh_from_db()
        return message

    return deliver
