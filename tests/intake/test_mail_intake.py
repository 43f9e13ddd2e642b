"""Mail through the whole pipeline: stored raw, then an issue, a comment, a recorded bounce,
an ignored auto-reply, or a quarantined message with its reason."""

import pytest
from django.core import mail as outbox
from django.test import override_settings

from tests.factories import make_contact, make_issue, make_staff
from tests.intake.conftest import fixture_bytes, make_mail
from tierline.customers.models import Contact
from tierline.intake.actions import do_retry_message
from tierline.intake.models import InboundMessage, MailThreadId
from tierline.issues.actions import do_add_comment
from tierline.issues.models import Channel, EventKind, Issue, Status

pytestmark = pytest.mark.django_db


def test_mail_from_a_known_contact_opens_an_issue_of_their_organization(org, deliver):
    contact = make_contact(org, email="dana@acme.example")
    message = deliver(make_mail(message_id="<m1@acme.example>"))
    issue = message.issue
    assert message.status == "processed"
    assert (issue.title, issue.channel, issue.requester, issue.organization) == (
        "Export fails", Channel.EMAIL, contact, org)
    assert issue.description == "The CSV export fails."
    assert MailThreadId.objects.get(message_id="<m1@acme.example>").issue == issue


def test_unknown_sender_becomes_a_contact_matched_by_domain(org, deliver):
    message = deliver(make_mail(sender="New Person <new@acme.example>"))
    contact = Contact.objects.get(email="new@acme.example")
    assert (contact.name, contact.organization) == ("New Person", org)
    assert message.issue.organization == org
    stranger = deliver(make_mail(sender="someone@elsewhere.example", message_id="<s@elsewhere>"))
    assert stranger.issue.organization is None


def test_a_reply_threads_by_in_reply_to_and_quoted_history_is_stripped(org, deliver):
    first = deliver(make_mail(message_id="<m1@acme.example>"))
    reply = deliver(make_mail(
        subject="Re: Export fails", message_id="<m2@acme.example>",
        body="It happens again today.\n\nOn Mon, Support wrote:\n> earlier text",
        headers={"In-Reply-To": "<m1@acme.example>", "References": "<m1@acme.example>"},
    ))
    assert reply.issue == first.issue and Issue.objects.count() == 1
    assert reply.comment.body == "It happens again today."
    assert reply.comment.channel == Channel.EMAIL
    assert bytes(reply.__class__.objects.get(pk=reply.pk).raw).find(b"earlier text") > 0  # the full message is kept


def test_a_reply_threads_by_the_issue_key_in_the_subject(org, deliver):
    contact = make_contact(org, email="dana@acme.example")
    issue = make_issue(org, requester=contact)
    message = deliver(make_mail(subject=f"Re: [{issue.key}] something", body="more detail"))
    assert message.issue == issue and message.comment.author_contact == contact


def test_the_issue_key_of_another_organization_does_not_thread(org, other_org, deliver):
    theirs = make_issue(other_org)
    message = deliver(make_mail(subject=f"[{theirs.key}] sneaky"))
    assert message.issue != theirs
    assert theirs.comments.count() == 0


def test_a_customer_reply_to_our_notification_threads_back(org, deliver, django_capture_on_commit_callbacks):
    contact = make_contact(org, email="dana@acme.example")
    issue = deliver(make_mail(message_id="<first@acme.example>")).issue
    with django_capture_on_commit_callbacks(execute=True):
        do_add_comment(issue, body="Please try again", is_public=True, author=make_staff())
    sent = outbox.outbox[-1] if outbox.outbox else None
    assert sent is not None, "the reply was mailed"
    ours = sent.extra_headers["Message-ID"]
    assert sent.extra_headers["In-Reply-To"] == "<first@acme.example>"
    assert sent.extra_headers["References"] == "<first@acme.example>"
    answer = deliver(make_mail(subject="Re: whatever", message_id="<again@acme.example>",
                               body="Tried, still failing", headers={"In-Reply-To": ours}))
    assert answer.issue == issue and answer.comment.author_contact == contact


@pytest.mark.parametrize("headers,reason", [
    ({"Auto-Submitted": "auto-replied"}, "auto-reply"),
    ({"X-Autoreply": "yes"}, "auto-reply"),
    ({"Precedence": "bulk"}, "bulk mail"),
    ({"Precedence": "junk"}, "bulk mail"),
    ({}, "auto-reply"),  # by its subject
])
def test_auto_replies_never_open_issues(org, deliver, headers, reason):
    subject = "Out of office: back Monday" if not headers else "Re: Export fails"
    message = deliver(make_mail(subject=subject, headers=headers))
    assert (message.status, message.reason, message.issue) == ("ignored", reason, None)
    assert Issue.objects.count() == 0


@pytest.mark.parametrize("name", ["flanker/disposition-notification.eml", "flanker/bounce-delayed.eml",
                                  "flanker/complaints-aol.eml"])
def test_receipts_and_foreign_bounces_never_open_issues(deliver, name):
    message = deliver(fixture_bytes("email", name))
    assert message.status == "ignored" and Issue.objects.count() == 0


def test_a_bounce_of_our_reply_is_recorded_on_its_issue(org, deliver):
    issue = make_issue(org)
    MailThreadId.objects.create(message_id="<20171013111011.20866.254C2F3A4D7AA526@ninomail.com>",
                                issue=issue, direction="out")
    message = deliver(fixture_bytes("email", "flanker", "bounce-office365.eml"))
    assert (message.status, message.issue) == ("processed", issue)
    event = issue.events.get(kind=EventKind.MAIL_BOUNCED)
    assert event.data["message_ids"] == ["<20171013111011.20866.254C2F3A4D7AA526@ninomail.com>"]


@pytest.mark.parametrize("name", ["flanker/text-only.eml", "flanker/iphone.eml", "flanker/russian-attachment-yahoo.eml",
                                  "django-helpdesk/utf-nondecodable.eml", "django-helpdesk/pgp.eml",
                                  "django-helpdesk/blank-body-with-attachment.eml", "flanker/outlook-express.eml",
                                  "django-helpdesk/all-special-chars.eml", "flanker/quoted-printable.eml"])
def test_real_mail_becomes_an_issue_with_its_attachments(deliver, name):
    parsed_attachments = len(__import__("tierline.intake.mail", fromlist=["x"]).parse_mail(
        fixture_bytes("email", name)).attachments)
    message = deliver(fixture_bytes("email", name))
    assert message.status == "processed", message.reason
    assert message.issue.channel == Channel.EMAIL
    assert message.issue.attachments.count() == parsed_attachments


def test_an_attachment_over_the_limit_is_left_in_the_raw_message(deliver):
    with override_settings(MAX_ATTACHMENT_BYTES=1000):
        message = deliver(fixture_bytes("email", "flanker", "iphone.eml"))
    assert message.issue.attachments.count() == 0
    assert "photo.JPG (9023 bytes)" in message.issue.description


def test_mail_without_a_sender_is_quarantined_and_can_be_retried(deliver):
    message = deliver(fixture_bytes("email", "flanker", "attached-pdf.eml"))
    assert message.status == "quarantined" and "no sender" in message.reason
    assert message.issue is None and InboundMessage.objects.count() == 1
    assert do_retry_message(message).status == "quarantined"
    assert message.attempts == 2


def test_a_failure_while_processing_quarantines_with_the_reason(deliver, monkeypatch):
    import tierline.intake.mail_intake as mail_intake

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(mail_intake, "do_create_issue", broken)
    message = deliver(make_mail())
    assert (message.status, message.reason) == ("quarantined", "RuntimeError: database went away")
    monkeypatch.undo()
    assert do_retry_message(message).status == "processed"
    assert message.issue is not None


def test_the_same_message_twice_is_one_issue(deliver):
    raw = make_mail(message_id="<once@acme.example>")
    deliver(raw, source="imap:INBOX")
    second = deliver(raw, source="imap:INBOX")
    assert second.status == "ignored" and Issue.objects.count() == 1


def test_mail_from_our_own_address_is_a_loop(deliver):
    message = deliver(make_mail(sender="support@tierline.localhost"))
    assert message.status == "ignored" and "loop" in message.reason


def test_a_sender_looping_is_throttled(deliver):
    with override_settings(MAIL_LOOP_LIMIT=3):
        results = [deliver(make_mail(subject=f"Ticket {i}")).status for i in range(5)]
    assert results == ["processed", "processed", "processed", "quarantined", "quarantined"]
    assert "Mail loop" in InboundMessage.objects.filter(status="quarantined").first().reason


def test_staff_reply_by_mail_is_a_public_reply(org, deliver):
    staff = make_staff(email="alice@tierline.example")
    issue = deliver(make_mail(message_id="<c1@acme.example>")).issue
    message = deliver(make_mail(sender="alice@tierline.example", subject="Re: Export fails",
                                body="Fixed now.", headers={"In-Reply-To": "<c1@acme.example>"}))
    assert message.comment.author == staff and message.comment.is_public
    issue.refresh_from_db()
    assert issue.first_response_at is not None and issue.status == Status.OPEN
