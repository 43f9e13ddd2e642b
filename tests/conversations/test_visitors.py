"""Anonymous visitors: one shared contact for all of them instead of a row each, which nobody else
can speak for (not a signed identity, not a mail's From line)."""

import pytest

from tests.conversations.helpers import make_chat_key, signed_identity
from tests.intake.conftest import make_mail
from tierline.conversations.actions import Context, do_add_customer_message, do_open_conversation
from tierline.conversations.identity import VISITOR_EMAIL, IdentityRefused, verify_identity
from tierline.customers.models import Contact
from tierline.intake.actions import do_receive_message
from tierline.intake.models import InboundKind, InboundStatus
from tierline.issues.models import Comment

pytestmark = pytest.mark.django_db


def anonymous(body="Is anyone there?"):
    return do_open_conversation(identity=None, body=body, context=Context(client_ip="203.0.113.9"))[0]


def test_anonymous_conversations_share_one_contact():
    before = Contact.objects.count()
    first, second, third = anonymous(), anonymous(), anonymous()
    assert Contact.objects.count() == before + 1
    visitor = Contact.objects.get(email=VISITOR_EMAIL)
    assert {c.issue.requester_id for c in (first, second, third)} == {visitor.pk}
    assert visitor.organization is None and visitor.name == "Anonymous visitor"
    comment = do_add_customer_message(second, body="Hello again")
    assert comment.author_contact_id == visitor.pk and comment.author_id is None  # still the customer's
    assert first.issue.comments.count() == 0  # sharing a contact shares no history


def test_no_identity_may_claim_the_visitors_address(org):
    key = make_chat_key(org)
    for email in (VISITOR_EMAIL, "someone@chat.invalid"):
        with pytest.raises(IdentityRefused, match="reserved for anonymous visitors"):
            verify_identity(signed_identity(key, org, email=email))


def test_a_mail_in_the_visitors_name_does_not_join_their_conversation(django_capture_on_commit_callbacks):
    conversation = anonymous()
    with django_capture_on_commit_callbacks(execute=True):
        message = do_receive_message(kind=InboundKind.EMAIL, source="smtp", raw=make_mail(
            sender=VISITOR_EMAIL, subject=f"[{conversation.issue.key}] it is me", body="Pretending"))
    message.refresh_from_db()
    assert message.status == InboundStatus.QUARANTINED and "chat widget" in message.reason
    assert not Comment.objects.filter(issue=conversation.issue).exists()
