"""Chat keys without the API: the `tierline chat-key` command and the admins' desk page; every
creation, rotation and revocation leaves an audit entry."""

import pytest

from tests.conversations.helpers import signed_identity
from tests.factories import make_org, make_staff
from tierline.audit.actions import AuditAction
from tierline.audit.chain import verify_chain
from tierline.audit.models import AuditEntry
from tierline.cli import main
from tierline.conversations.actions import do_create_chat_key, do_revoke_chat_key, do_rotate_chat_key
from tierline.conversations.identity import IdentityRefused, verify_identity
from tierline.conversations.models import ChatKey
from tierline.errors import InvalidInput

pytestmark = pytest.mark.django_db


def _entries(key):
    return list(AuditEntry.objects.filter(target_type="conversations.chatkey", target_id=str(key.pk))
                .values_list("action", "actor_email", "organization__name"))


def test_creating_rotating_and_revoking_a_key_is_audited():
    acme = make_org(name="Acme")
    admin = make_staff("admin", email="root@tierline.example")
    key = do_create_chat_key(actor=admin, organization=acme, product="Analytics")
    do_rotate_chat_key(key, actor=admin)
    do_revoke_chat_key(key, actor=admin)
    assert _entries(key) == [(AuditAction.CHAT_KEY_CREATED, admin.email, "Acme"),
                             (AuditAction.CHAT_KEY_ROTATED, admin.email, "Acme"),
                             (AuditAction.CHAT_KEY_REVOKED, admin.email, "Acme")]
    with pytest.raises(InvalidInput):
        do_revoke_chat_key(key, actor=admin)
    assert len(_entries(key)) == 3 and verify_chain().is_intact


def test_chat_key_command_creates_lists_and_revokes(capsys):
    acme = make_org(name="Acme Robotics")
    assert main(["chat-key", "create", "--org", "Acme Robotics", "--product", "Analytics"]) == 0
    captured = capsys.readouterr()
    lines = dict(line.split(" ", 1) for line in captured.out.splitlines())
    key = ChatKey.objects.get()
    assert (lines["key_id"], key.organization, key.product) == (key.key_id, acme, "Analytics")
    assert "shown once" in captured.err and key.secret_salt not in captured.out
    # The printed secret is the one that signs identities; it is stored nowhere.
    identity = signed_identity(key, acme, secret=lines["secret"])
    assert verify_identity(identity).organization == acme

    assert main(["chat-key", "create"]) == 0  # a product-wide key
    capsys.readouterr()
    assert main(["chat-key", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and f"{key.key_id}\tAcme Robotics\tAnalytics\t" in listed[1]
    assert "(any organization)" in listed[0]

    assert main(["chat-key", "revoke", key.key_id]) == 0
    with pytest.raises(IdentityRefused):
        verify_identity(identity)
    assert main(["chat-key", "revoke", key.key_id]) == 2
    assert "no active chat key" in capsys.readouterr().err
    assert [action for action, _, _ in _entries(key)] == [AuditAction.CHAT_KEY_CREATED, AuditAction.CHAT_KEY_REVOKED]
    assert AuditEntry.objects.filter(action=AuditAction.CHAT_KEY_REVOKED).get().data["key_id"] == key.key_id


def test_chat_key_command_refuses_an_unknown_organization(capsys):
    assert main(["chat-key", "create", "--org", "Nowhere"]) == 2
    assert main(["chat-key", "create", "--org", "999999"]) == 2
    assert "no organization" in capsys.readouterr().err and not ChatKey.objects.exists()


def test_the_keys_page_shows_a_new_secret_once(client):
    acme = make_org(name="Acme")
    admin = make_staff("admin")
    client.force_login(admin)
    response = client.post("/desk/chat-keys/", {"organization": str(acme.pk), "product": "Analytics"})
    key = ChatKey.objects.get()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = response.context["created"]["secret"]
    assert secret.startswith("tlc_") and secret in response.content.decode()
    page = client.get("/desk/chat-keys/").content.decode()
    assert key.key_id in page and "Acme" in page and "Analytics" in page and secret not in page
    assert _entries(key) == [(AuditAction.CHAT_KEY_CREATED, admin.email, "Acme")]

    response = client.post(f"/desk/chat-keys/{key.pk}/revoke")
    assert response.status_code == 302 and response["Location"] == f"/desk/chat-keys/?revoked={key.key_id}"
    assert f"Key {key.key_id} is revoked" in client.get(response["Location"]).content.decode()
    key.refresh_from_db()
    assert not key.is_active and _entries(key)[-1][0] == AuditAction.CHAT_KEY_REVOKED
    assert client.post(f"/desk/chat-keys/{key.pk}/revoke").status_code == 404


def test_the_keys_page_shows_the_form_again_on_bad_input(client):
    client.force_login(make_staff("admin"))
    response = client.post("/desk/chat-keys/", {"organization": "999999", "product": "x" * 101})
    assert response.status_code == 422 and b"Unknown organization" in response.content
    response = client.post("/desk/chat-keys/", {"product": "x" * 101})
    assert response.status_code == 422 and b'aria-invalid="true"' in response.content
    assert not ChatKey.objects.exists()
