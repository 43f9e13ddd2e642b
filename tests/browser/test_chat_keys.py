"""The admins' chat keys page in Chromium: reached from the desk menu, a key created for a customer
shows its secret once, and revoking it is one button."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_org, make_staff
from tierline.conversations.models import ChatKey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_creates_and_revokes_a_chat_key(page):
    make_org(name="Acme Robotics")
    admin = make_staff("admin", email="root@tierline.example")
    log_in(page, admin.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Chat keys").click()
    expect(page.get_by_role("heading", name="Chat keys", level=1)).to_be_visible()
    expect(page.locator("#chat-keys tbody")).to_contain_text("No chat keys yet")

    form = page.get_by_role("form", name="New chat key")
    form.get_by_label("Customer").select_option(label="Acme Robotics")
    form.get_by_label("Product").fill("Acme Analytics")
    form.get_by_role("button", name="Create key").click()

    key = ChatKey.objects.get()
    created = page.get_by_role("region", name=f"Key {key.key_id} created")
    expect(created).to_contain_text("not shown again")
    expect(created.locator("code.secret")).to_have_text(re.compile(r"^tlc_[0-9a-f]{64}$"))
    row = page.locator("#chat-keys tbody tr", has_text=key.key_id)
    expect(row).to_contain_text("Acme Robotics")
    expect(row).to_contain_text("Acme Analytics")

    row.get_by_role("button", name=f"Revoke {key.key_id}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Key {key.key_id} is revoked")
    expect(page.locator("code.secret")).to_have_count(0)
    expect(page.locator("#chat-keys tbody tr", has_text=key.key_id)).to_contain_text("Revoked")
    key.refresh_from_db()
    assert not key.is_active
