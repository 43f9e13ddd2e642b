"""Parsing real-world mail: never raises, finds the text, the attachments and what kind of mail it is."""

import pytest

from tests.intake.conftest import FIXTURES, fixture_bytes
from tierline.intake.html_text import html_to_text
from tierline.intake.mail import parse_mail, strip_quoted

EVERY_FIXTURE = sorted(p.relative_to(FIXTURES / "email").as_posix() for p in (FIXTURES / "email").rglob("*.eml"))


@pytest.mark.parametrize("name", EVERY_FIXTURE)
def test_every_real_mail_parses(name):
    parsed = parse_mail(fixture_bytes("email", name))
    assert isinstance(parsed.text, str)
    assert parsed.sender == "" or "@" in parsed.sender


@pytest.mark.parametrize("name,noise", [
    ("flanker/bounce-gmail-invalid-address.eml", "bounce"),
    ("flanker/bounce-office365.eml", "bounce"),
    ("flanker/bounce-mailbox-full.eml", "bounce"),
    ("flanker/bounce-no-mx.eml", "bounce"),
    ("flanker/bounce-delayed.eml", "bounce"),
    ("flanker/disposition-notification.eml", "read receipt"),
    ("flanker/complaints-aol.eml", "abuse report"),
    ("flanker/from-encoding.eml", "bulk mail"),
    ("flanker/text-only.eml", ""),
    ("flanker/iphone.eml", ""),
    ("django-helpdesk/quoted_printable.eml", ""),
])
def test_noise_is_recognised(name, noise):
    assert parse_mail(fixture_bytes("email", name)).noise == noise


def test_bounce_names_the_message_that_bounced():
    parsed = parse_mail(fixture_bytes("email", "flanker", "bounce-office365.eml"))
    assert parsed.bounced_message_ids == ["<20171013111011.20866.254C2F3A4D7AA526@ninomail.com>"]


def test_encoded_headers_and_charsets_are_decoded():
    parsed = parse_mail(fixture_bytes("email", "flanker", "bilingual-simple.eml"))
    assert "Как ты поживаешь" in parsed.subject
    parsed = parse_mail(fixture_bytes("email", "flanker", "encoded-header.eml"))
    assert parsed.sender_name == "Foo, Bar"
    parsed = parse_mail(fixture_bytes("email", "django-helpdesk", "quoted_printable.eml"))
    assert parsed.subject == "Český test"


def test_undecodable_bytes_do_not_stop_parsing():
    parsed = parse_mail(fixture_bytes("email", "django-helpdesk", "utf-nondecodable.eml"))
    assert parsed.subject.startswith("Fwd: Cyklozaměstnavatel")
    assert len(parsed.text) > 100


def test_attachments_and_inline_images_are_kept():
    parsed = parse_mail(fixture_bytes("email", "flanker", "iphone.eml"))
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [("photo.JPG", "image/jpeg")]
    parsed = parse_mail(fixture_bytes("email", "flanker", "russian-attachment-yahoo.eml"))
    assert parsed.attachments[0].filename.startswith("Картинка")
    parsed = parse_mail(fixture_bytes("email", "django-helpdesk", "blank-body-with-attachment.eml"))
    assert parsed.text == "" and len(parsed.attachments) == 1


def test_html_only_mail_becomes_plain_text_without_markup():
    html = ("<html><head><style>p{}</style><script>alert(1)</script></head><body><p>Hello &amp; welcome</p>"
            "<div>Second <b>line</b></div><img src=x onerror=alert(2)></body></html>")
    assert html_to_text(html) == "Hello & welcome\n\nSecond line"


def test_of_alternative_versions_only_one_is_the_text():
    # flanker's sample labels its HTML version text/plain: the first version is the text.
    parsed = parse_mail(fixture_bytes("email", "flanker", "quoted-printable.eml"))
    assert parsed.text.startswith("Hello Bob,") and parsed.text.endswith("Bob") and "<div" not in parsed.text
    raw = (b"From: x@acme.example\r\nSubject: s\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: text/html\r\n\r\n<p>Export <b>fails</b></p>\r\n"
           b"--b\r\nContent-Type: text/plain\r\n\r\n\r\n--b--\r\n")
    assert parse_mail(raw).text == "Export fails"  # an empty plain version: the HTML one


def test_broken_mime_still_gives_something():
    raw = b"From: x@acme.example\r\nContent-Type: multipart/mixed; boundary=zzz\r\nSubject: cut\r\n\r\n--zzz\r\n" \
          b"Content-Type: text/plain; charset=no-such-charset\r\n\r\nbody text\r\n"
    parsed = parse_mail(raw)
    assert parsed.sender == "x@acme.example" and "body text" in parsed.text


@pytest.mark.parametrize("reply,expected", [
    ("Thanks, that fixed it.\n\nOn Tue, 3 Mar 2026 at 10:00, Support <s@t.example> wrote:\n> Try again",
     "Thanks, that fixed it."),
    ("Still broken.\n\nOn Tue, 3 Mar 2026 at 10:00, Tierline Support\n<s@t.example> wrote:\n> old", "Still broken."),
    ("Here you go\n-----Original Message-----\nFrom: support\nold text", "Here you go"),
    ("Top\n> quoted\nBottom", "Top\nBottom"),
    ("> only quoted", "> only quoted"),
])
def test_quoted_history_is_stripped(reply, expected):
    assert strip_quoted(reply) == expected
