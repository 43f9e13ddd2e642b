"""Real SMTP both ways: mail sent to `tierline smtpd`'s listener becomes an issue, and our reply,
caught by a real SMTP sink, carries the headers that make the customer's answer thread back."""

import smtplib
import socket
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings

from tests.factories import make_contact, make_staff
from tests.intake.conftest import make_mail
from tierline.intake.actions import do_process_message
from tierline.intake.models import InboundMessage
from tierline.intake.smtpd import start_smtpd
from tierline.issues.actions import do_add_comment

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content or envelope.content)
        return "250 OK"


@pytest.fixture
def listener():
    controller = start_smtpd("127.0.0.1", _free_port(), ["support@tierline.localhost"])
    yield controller
    controller.stop()


@pytest.fixture
def sink():
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, handler
    controller.stop()


def test_mail_over_smtp_is_stored_then_becomes_an_issue(listener, org):
    with smtplib.SMTP(listener.hostname, listener.port) as smtp:
        smtp.sendmail("dana@acme.example", ["support@tierline.localhost"],
                      make_mail(message_id="<smtp1@acme.example>"))
    message = InboundMessage.objects.get()
    assert message.source == "smtp" and b"The CSV export fails." in bytes(message.raw)
    if message.status == "pending":  # the worker's step, when tasks are not run inline
        do_process_message(message)
    message.refresh_from_db()
    assert message.status == "processed" and message.issue.organization == org


def test_the_listener_refuses_other_recipients(listener):
    with smtplib.SMTP(listener.hostname, listener.port) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused):
        smtp.sendmail("dana@acme.example", ["someone-else@tierline.localhost"], make_mail())
    assert InboundMessage.objects.count() == 0


def test_replies_go_out_by_smtp_with_threading_headers(listener, sink, org):
    port, handler = sink
    contact = make_contact(org, email="dana@acme.example")
    with smtplib.SMTP(listener.hostname, listener.port) as smtp:
        smtp.sendmail(contact.email, ["support@tierline.localhost"], make_mail(message_id="<ask@acme.example>"))
    issue = InboundMessage.objects.get().issue
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                           EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_USE_TLS=False):
        do_add_comment(issue, body="Fixed in 2.4.1", is_public=True, author=make_staff())
        do_add_comment(issue, body="Anything else?", is_public=True, author=make_staff())
    first, second = (message_from_bytes(raw, policy=policy.default) for raw in handler.messages)
    assert first["In-Reply-To"] == "<ask@acme.example>" and first["References"] == "<ask@acme.example>"
    assert second["In-Reply-To"] == "<ask@acme.example>"
    assert second["References"].split() == ["<ask@acme.example>", first["Message-ID"].strip()]
    assert f"[{issue.key}]" in second["Subject"]
    # The customer's mail client answers our second mail: it joins the same issue.
    answer = make_mail(subject="Re: stuff", body="All good, thanks",
                       headers={"In-Reply-To": second["Message-ID"], "References": second["References"]})
    with smtplib.SMTP(listener.hostname, listener.port) as smtp:
        smtp.sendmail(contact.email, ["support@tierline.localhost"], answer)
    latest = InboundMessage.objects.order_by("-id").first()
    assert latest.issue == issue and latest.comment.body == "All good, thanks"
