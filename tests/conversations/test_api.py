"""The conversations API: chat keys (admins, secret shown once) and the live queue (staff)."""

import pytest

from tests.conversations.helpers import make_chat_key, signed_identity
from tests.factories import make_customer, make_staff
from tierline.conversations.actions import Context, do_open_conversation
from tierline.conversations.identity import verify_identity
from tierline.conversations.models import ChatKey
from tierline.customers.sensitivity import MASK


def test_an_admin_creates_a_key_and_sees_its_secret_once(api_as, admin_user, org):
    api = api_as(admin_user)
    created = api.post("/conversations/keys", {"organization_id": org.pk, "product": "Acme web"})
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("tlc_") and body["organization_id"] == org.pk
    listed = api.get("/conversations/keys").json()
    assert [k["key_id"] for k in listed] == [body["key_id"]] and listed[0]["secret"] is None
    key = ChatKey.objects.get(key_id=body["key_id"])
    assert body["secret"] not in str(key.__dict__)
    assert verify_identity(signed_identity(key, org, secret=body["secret"])).organization == org
    rotated = api.post(f"/conversations/keys/{key.pk}/rotate", {}).json()
    assert rotated["secret"] != body["secret"]


def test_unknown_organizations_and_keys(api_as, admin_user):
    api = api_as(admin_user)
    assert api.post("/conversations/keys", {"organization_id": 999999}).json()["fields"] == {
        "organization_id": "does not exist"}
    assert api.post("/conversations/keys/999999/rotate", {}).status_code == 404
    assert api.post("/conversations/keys", {"product": 5}).status_code == 422


@pytest.mark.parametrize("role", ["customer", "support_t1"])
def test_only_admins_manage_keys(api_as, org, role):
    user = make_customer(org) if role == "customer" else make_staff(role)
    assert api_as(user).post("/conversations/keys", {}).status_code == 403


def test_the_live_queue_lists_waiting_conversations(api_as, agent, org):
    identity = verify_identity(signed_identity(make_chat_key(org), org))
    conversation, _ = do_open_conversation(identity=identity, body="Help", context=Context(app_version="9"))
    do_open_conversation(identity=None, body="Anonymous help", context=Context())
    rows = api_as(agent).get("/conversations/live").json()
    assert [r["key"] for r in rows][0] == conversation.issue.key
    assert rows[0]["customer"] == MASK and rows[0]["waiting_seconds"] >= 0
    assert rows[1]["customer"] == "Anonymous visitor" and rows[1]["is_verified"] is False
    assert api_as(make_customer(org)).get("/conversations/live").status_code == 403
