"""The widget script, the sample product page, screenshot uploads and the desk's live queue."""

import pytest
from django.core import signing

from tests.conversations.helpers import make_chat_key, signed_identity
from tests.factories import make_customer, make_staff
from tierline.conversations.actions import Context, do_open_conversation
from tierline.conversations.consumers import UPLOAD_SALT, upload_ticket
from tierline.conversations.identity import verify_identity
from tierline.customers.sensitivity import MASK
from tierline.issues.models import Attachment, Comment

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def conversation(org):
    identity = verify_identity(signed_identity(make_chat_key(org), org))
    conversation, _ = do_open_conversation(identity=identity, body="The chart is empty",
                                           context=Context(page_url="https://shop.example/chart",
                                                           user_agent="Firefox/133", app_version="2.4.1"))
    return conversation


def test_the_widget_script_is_small_and_loads_from_any_site(client):
    response = client.get("/widget.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert len(response.content) < 16 * 1024
    assert b"attachShadow" in response.content


def test_the_sample_product_page_embeds_the_widget(client):
    response = client.get("/widget/demo/?identity=abc.def.0123&app_version=3.0")
    assert response.status_code == 200
    assert b'src="/widget.js" data-identity="abc.def.0123" data-app-version="3.0"' in response.content
    assert "connect-src 'self' ws: wss:" in response["Content-Security-Policy"]


def test_a_screenshot_is_stored_as_an_issue_attachment(client, conversation):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/widget/screenshot", {
        "ticket": upload_ticket(conversation.pk), "body": "See the chart",
        "screenshot": SimpleUploadedFile("chart.png", PNG, content_type="image/png"),
    })
    assert response.status_code == 201, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["message"]["attachments"] == ["chart.png"]
    attachment = Attachment.objects.get(issue=conversation.issue)
    assert (attachment.content_type, attachment.comment.body) == ("image/png", "See the chart")
    assert conversation.issue.events.filter(kind="attachment_added").exists()


@pytest.mark.parametrize("ticket,content,status", [
    ("forged", PNG, 404),
    (None, b"MZ not an image", 422),
    (None, PNG + b"\x00" * 2048, 413),
])
def test_bad_screenshots_are_refused(client, conversation, settings, ticket, content, status):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.CHAT_SCREENSHOT_MAX_BYTES = 1024
    response = client.post("/widget/screenshot", {
        "ticket": ticket or upload_ticket(conversation.pk),
        "screenshot": SimpleUploadedFile("x.png", content, content_type="image/png"),
    })
    assert response.status_code == status
    assert set(response.json()) == {"detail", "fields"}
    assert not Comment.objects.filter(issue=conversation.issue).exists()


def test_a_ticket_names_one_conversation_only(client, conversation):
    tampered = signing.dumps({"conversation": conversation.pk + 1}, salt="another-salt")
    response = client.post("/widget/screenshot", {"ticket": tampered})
    assert response.status_code == 404
    assert client.get("/widget/screenshot").status_code == 405
    assert UPLOAD_SALT


def test_the_live_queue_shows_who_waits(client, conversation):
    client.force_login(make_staff())
    page = client.get("/desk/conversations/")
    assert page.status_code == 200
    assert conversation.issue.key.encode() in page.content and b"data-waiting-since" in page.content
    rows = client.get("/desk/conversations/rows").content.decode()
    assert MASK in rows and "Ann Example" not in rows  # a customer's people stay masked for staff


def test_customers_do_not_see_the_live_queue(client, org, conversation):
    client.force_login(make_customer(org))
    assert client.get("/desk/conversations/")["Location"] == "/portal/"
    client.logout()
    assert client.get("/desk/conversations/rows").status_code == 302


def test_the_issue_page_shows_the_chat_context(client, conversation):
    client.force_login(make_staff())
    page = client.get(f"/desk/issues/{conversation.issue.key}/").content.decode()
    assert "Chat context" in page and "https://shop.example/chart" in page
    assert "Firefox/133" in page and "2.4.1" in page and 'aria-live="polite"' in page
