import pytest

from tests.factories import make_customer, make_staff
from tierline.accounts.actions import do_update_user
from tierline.audit.actions import do_record_audit
from tierline.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_admins_search_the_trail(api_as, admin_user):
    engineer = make_staff("engineer_t4")
    do_update_user(engineer, role="senior_engineer_t5", actor=admin_user)
    do_record_audit(action="personal_data.viewed", actor=engineer, reason="debugging TL-7")
    api = api_as(admin_user)
    found = api.get("/audit", action="user.changed").json()["items"]
    assert [e["action"] for e in found] == ["user.changed"]
    assert found[0]["data"] == {"role": ["engineer_t4", "senior_engineer_t5"]}
    assert [e["reason"] for e in api.get("/audit", q="TL-7").json()["items"]] == ["debugging TL-7"]
    assert api.get("/audit", actor=engineer.email.upper()).json()["items"][0]["actor_email"] == engineer.email
    assert api.get("/audit", since="2999-01-01T00:00:00").json()["items"] == []


def test_exports_are_recorded(api_as, admin_user):
    do_record_audit(action="test.one")
    exported = api_as(admin_user).get("/audit/export", action="test.one").json()
    assert len(exported["items"]) == 1 and exported["truncated"] is False
    entry = AuditEntry.objects.last()
    assert entry.action == "audit.exported" and entry.actor == admin_user
    assert entry.data == {"filters": {"action": "test.one"}, "rows": 1}


@pytest.mark.parametrize("role", ["support_t1", "senior_engineer_t5"])
def test_only_admins_read_the_trail(api_as, role):
    api = api_as(make_staff(role))
    assert api.get("/audit").status_code == 403
    assert api.get("/audit/export").status_code == 403


def test_customers_see_who_looked_at_their_data(api_as, org, other_org):
    engineer = make_staff("engineer_t4", name="Erin Engineer")
    do_record_audit(action="personal_data.unmask_requested", actor=engineer, organization=org,
                    reason="reproduce the login bug", data={"issue": "TL-3"})
    do_record_audit(action="organization.changed", actor=engineer, organization=org)  # not personal data
    log = api_as(make_customer(org)).get(f"/organizations/{org.pk}/access-log").json()["items"]
    assert [(e["who"], e["reason"], e["issue"]) for e in log] == [("Erin Engineer", "reproduce the login bug", "TL-3")]
    assert api_as(make_customer(other_org)).get(f"/organizations/{org.pk}/access-log").status_code == 404
