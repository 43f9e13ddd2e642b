"""Every real mail in tests/fixtures/email/ (see NOTICE), delivered end to end as the SMTP
listener does: each ends processed (a new issue with its text and files), ignored as noise with
the reason, or quarantined with the reason; none is lost or raises."""

import pytest

from tests.intake.conftest import FIXTURES, fixture_bytes
from tierline.intake.mail import parse_mail
from tierline.issues.models import Channel

pytestmark = pytest.mark.django_db

EVERY_FIXTURE = sorted(p.relative_to(FIXTURES / "email").as_posix() for p in (FIXTURES / "email").rglob("*.eml"))

# name: (status, reason, issue title)
EXPECTED = {
    "django-helpdesk/all-special-chars.eml": ("processed", "", "Testovácí email"),
    "django-helpdesk/blank-body-with-attachment.eml": ("processed", "", "Attachment without body - and a lo"),
    "django-helpdesk/forwarded-message.eml": ("processed", "", "Test with original message from GitHub"),
    "django-helpdesk/pgp.eml": ("processed", "", "example email that crashes django-helpdesk get_email"),
    "django-helpdesk/quoted_printable.eml": ("processed", "", "Český test"),
    "django-helpdesk/utf-nondecodable.eml": ("processed", "", "Fwd: Cyklozaměstnavatel - změna vyhodnocení"),
    "flanker/8bitmime.eml": ("processed", "", "2 RCPT MIME"),
    "flanker/attached-pdf.eml": ("quarantined", "The message has no sender address (from: missing)", None),
    "flanker/bilingual-simple.eml": ("processed", "", "Simple text. How are you? Как ты поживаешь?"),
    "flanker/bounce-delayed.eml": ("ignored", "bounce of mail we did not send", None),
    "flanker/bounce-gmail-invalid-address.eml": ("ignored", "bounce of mail we did not send", None),
    "flanker/bounce-mailbox-full.eml": ("ignored", "bounce of mail we did not send", None),
    "flanker/bounce-no-mx.eml": ("ignored", "bounce of mail we did not send", None),
    "flanker/bounce-office365.eml": ("ignored", "bounce of mail we did not send", None),
    "flanker/complaints-aol.eml": ("ignored", "abuse report", None),
    "flanker/disposition-notification.eml": ("ignored", "read receipt", None),
    "flanker/encoded-header.eml": ("processed", "", "hello"),
    "flanker/from-encoding.eml": ("ignored", "bulk mail", None),
    "flanker/iphone.eml": ("processed", "", "Subject"),
    "flanker/outlook-express.eml": ("processed", "", "Sup?"),
    "flanker/quoted-printable.eml": ("processed", "", "This message contains very long links in html"),
    "flanker/russian-attachment-yahoo.eml": ("processed", "", "Hello"),
    "flanker/text-only.eml": ("processed", "", "Testing message parsing"),
}


def test_every_real_mail_has_an_expected_outcome():
    assert sorted(EXPECTED) == EVERY_FIXTURE


@pytest.mark.parametrize("name", EVERY_FIXTURE)
def test_every_real_mail_is_replayed_end_to_end(deliver, name):
    raw = fixture_bytes("email", name)
    status, reason, title = EXPECTED[name]
    message = deliver(raw)
    assert (message.status, message.reason) == (status, reason)
    assert bytes(message.raw) == raw  # the message as it arrived, whatever became of it
    if title is None:
        assert message.issue_id is None
        return
    issue, parsed = message.issue, parse_mail(raw)
    assert issue.title.startswith(title) and issue.channel == Channel.EMAIL
    assert issue.requester.email == parsed.sender
    assert issue.description.strip() or parsed.attachments  # the text, or at least the files
    assert "<html" not in issue.description.lower() and "<div" not in issue.description.lower()
    assert sorted(a.filename for a in issue.attachments.all()) == sorted(a.filename for a in parsed.attachments)
    assert deliver(raw).status == "ignored"  # delivered twice (an SMTP retry, a second poll): one issue
