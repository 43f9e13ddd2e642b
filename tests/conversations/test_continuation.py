"""After the widget: the reply goes by email, the customer's email answer joins the conversation,
and a conversation escalates like any issue."""

import pytest
from django.core import mail as outbox

from tests.conversations.helpers import make_chat_key, signed_identity
from tests.factories import make_staff
from tests.intake.conftest import make_mail
from tierline.conversations.actions import Context, do_open_conversation, do_record_presence
from tierline.conversations.identity import verify_identity
from tierline.conversations.models import Conversation
from tierline.escalation.actions import do_escalate_issue
from tierline.intake.actions import do_receive_message
from tierline.intake.models import InboundKind
from tierline.issues.actions import do_add_comment
from tierline.issues.models import Channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(org):
    identity = verify_identity(signed_identity(make_chat_key(org), org, email="ann@acme.example"))
    return do_open_conversation(identity=identity, body="Invoices are missing", context=Context())[0]


def test_the_conversation_continues_by_email(conversation, settings, django_capture_on_commit_callbacks):
    settings.CHAT_AWAY_MINUTES = 0
    with django_capture_on_commit_callbacks(execute=True):
        do_add_comment(conversation.issue, body="They are back now", is_public=True, author=make_staff())
    sent = outbox.outbox[-1]
    assert sent.to == ["ann@acme.example"] and f"[{conversation.issue.key}]" in sent.subject
    with django_capture_on_commit_callbacks(execute=True):
        message = do_receive_message(kind=InboundKind.EMAIL, source="smtp", raw=make_mail(
            sender="ann@acme.example", subject=f"Re: {sent.subject}", body="Thanks, all there",
            headers={"In-Reply-To": sent.extra_headers["Message-ID"]}))
    message.refresh_from_db()
    assert message.issue == conversation.issue and message.comment.channel == Channel.EMAIL
    assert Conversation.objects.get(pk=conversation.pk).waiting_since is not None  # waiting for us again


def test_no_email_while_the_widget_is_open(conversation, settings, django_capture_on_commit_callbacks):
    settings.CHAT_AWAY_MINUTES = 5
    do_record_presence(conversation.pk, sockets=1)
    with django_capture_on_commit_callbacks(execute=True):
        do_add_comment(conversation.issue, body="Shown live", is_public=True, author=make_staff())
    assert outbox.outbox == []


def test_a_customer_who_just_left_gets_the_email_later_unless_back(conversation, settings,
                                                                  django_capture_on_commit_callbacks):
    from tierline.conversations.tasks import email_reply_if_still_away

    settings.CHAT_AWAY_MINUTES = 5
    with django_capture_on_commit_callbacks(execute=True):
        reply = do_add_comment(conversation.issue, body="Later", is_public=True, author=make_staff())
    assert outbox.outbox == []  # scheduled for when the customer counts as gone
    email_reply_if_still_away.call_local(reply.pk)
    assert len(outbox.outbox) == 1
    do_record_presence(conversation.pk)  # came back and read it
    email_reply_if_still_away.call_local(reply.pk)
    assert len(outbox.outbox) == 1


def test_anonymous_visitors_never_get_mail(settings, django_capture_on_commit_callbacks):
    settings.CHAT_AWAY_MINUTES = 0
    conversation, _ = do_open_conversation(identity=None, body="Hi", context=Context())
    with django_capture_on_commit_callbacks(execute=True):
        do_add_comment(conversation.issue, body="Hello", is_public=True, author=make_staff())
    assert outbox.outbox == []


def test_a_conversation_escalates_like_any_issue(conversation):
    issue = do_escalate_issue(conversation.issue, actor=make_staff("support_t2"), note="Billing must look",
                              to_tier=2)
    assert issue.tier == 2 and issue.channel == Channel.CHAT
    assert issue.events.filter(kind="escalated").exists()
