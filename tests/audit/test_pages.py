import csv
import io

import pytest

from tests.factories import make_customer, make_org, make_staff
from tierline.audit.actions import do_record_audit
from tierline.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_admins_search_and_export_the_trail_as_csv(client, admin_user):
    do_record_audit(action="personal_data.viewed", reason="debugging TL-7")
    do_record_audit(action="token.created", target_id="tl_abc")
    client.force_login(admin_user)
    page = client.get("/desk/audit/", {"action": "personal_data."}).content.decode()
    assert "debugging TL-7" in page and "tl_abc" not in page
    export = client.get("/desk/audit/export.csv", {"action": "token."})
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:4] == ["id", "created_at", "actor_email", "action"]
    assert [r[3] for r in rows[1:]] == ["token.created"]
    entry = AuditEntry.objects.last()
    assert (entry.action, entry.actor, entry.data["format"]) == ("audit.exported", admin_user, "csv")


def test_only_admins_see_the_trail(client):
    client.force_login(make_staff("senior_engineer_t5"))
    assert client.get("/desk/audit/").status_code == 404
    assert client.get("/desk/audit/export.csv").status_code == 404
    client.force_login(make_customer(make_org()))
    assert client.get("/desk/audit/").status_code == 302


def test_exports_and_the_page_mask_a_customers_people(client, api_as, admin_user):
    from tierline.accounts.actions import do_create_api_token
    from tierline.customers.sensitivity import MASK

    acme = make_org(name="Acme", email_domains=["acme.example"])
    carla = make_customer(acme, email="carla@acme.example")
    do_create_api_token(carla, scope="read", actor=admin_user)
    do_record_audit(action="test.by_customer", actor=carla, organization=acme, reason="her own doing")
    client.force_login(admin_user)
    export = client.get("/desk/audit/export.csv").content.decode()
    page = client.get("/desk/audit/").content.decode()
    items = api_as(admin_user).get("/audit/export").json()["items"]
    assert "carla@acme.example" not in export + page + str(items)
    by_action = {e["action"]: e for e in items if e["organization_id"] == acme.pk or e["action"] == "audit.exported"}
    assert by_action["user.created"]["data"] == {"email": MASK, "role": "customer"}
    assert by_action["token.created"]["data"]["user"] == MASK and by_action["token.created"]["data"]["scope"] == "read"
    assert by_action["test.by_customer"]["actor_email"] == MASK
    assert by_action["audit.exported"]["actor_email"] == admin_user.email  # staff are named
    # The stored entries keep the values the hash chain covers.
    assert AuditEntry.objects.get(action="user.created", organization=acme).data["email"] == "carla@acme.example"
