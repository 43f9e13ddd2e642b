"""Configuration snapshots: history, diffs, secrets that never come back, the change before an issue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_issue, make_staff
from tierline.customers.models import ConfigurationSnapshot
from tierline.customers.sensitivity import MASK, SECRET_SHOWN

pytestmark = pytest.mark.django_db

FIRST = {"flags": {"sso": False, "beta": ["reports"]}, "limits": {"api_rate": 100},
         "smtp": {"host": "mail.acme.example", "password": "hunter2"}, "billing": {"contact_email": "ap@acme.example"}}


def _put(api, org, data):
    return api.put(f"/organizations/{org.pk}/configuration", data)


def test_snapshots_keep_history_and_diff(api_as, admin_user, org):
    api = api_as(admin_user)
    first = _put(api, org, FIRST).json()
    assert first["created"] is True
    assert _put(api, org, FIRST).json() == {**first, "created": False, "changes": 0}  # nothing new
    second = {**FIRST, "flags": {"sso": True, "beta": ["reports"]}, "limits": {"api_rate": 50},
              "smtp": {"host": "mail.acme.example", "password": "correct horse"}}
    assert _put(api, org, second).json()["changes"] == 3
    history = api.get(f"/organizations/{org.pk}/configuration/history").json()
    assert [h["changes"] for h in history] == [3, 6]
    changes = api.get(f"/organizations/{org.pk}/configuration/diff").json()["changes"]
    assert [(c["path"], c["change"], c["before"], c["after"]) for c in changes] == [
        ("flags.sso", "changed", False, True), ("limits.api_rate", "changed", 100, 50),
        ("smtp.password", "changed", SECRET_SHOWN, SECRET_SHOWN)]


def test_secrets_are_never_stored_or_returned_and_personal_values_are_masked(api_as, admin_user, org):
    api = api_as(admin_user)
    _put(api, org, FIRST)
    assert "hunter2" not in str(ConfigurationSnapshot.objects.get().data)
    profile = api.get(f"/organizations/{org.pk}/profile")
    shown = {c["path"]: c["value"] for c in profile.json()["configuration"]}
    assert shown["smtp.password"] == SECRET_SHOWN and shown["billing.contact_email"] == MASK
    assert shown["smtp.host"] == "mail.acme.example" and "hunter2" not in profile.content.decode()


def test_the_change_just_before_an_issue(api_as, admin_user, org):
    api = api_as(admin_user)
    _put(api, org, FIRST)
    _put(api, org, {**FIRST, "limits": {"api_rate": 10}})
    earlier, later = ConfigurationSnapshot.objects.order_by("id")
    ConfigurationSnapshot.objects.filter(pk=earlier.pk).update(received_at=timezone.now() - timedelta(days=2))
    ConfigurationSnapshot.objects.filter(pk=later.pk).update(received_at=timezone.now() - timedelta(hours=1))
    issue = make_issue(org)
    found = api_as(make_staff("support_t2")).get(f"/issues/{issue.key}/configuration-change").json()
    assert found["change"]["to_id"] == later.pk and found["change"]["from_id"] == earlier.pk
    assert [c["path"] for c in found["change"]["changes"]] == ["limits.api_rate"]
    _put(api, org, {**FIRST, "limits": {"api_rate": 5}})  # after the issue: not the cause
    assert api.get(f"/issues/{issue.key}/configuration-change").json()["change"]["to_id"] == later.pk


@pytest.mark.parametrize("body,status", [([1, 2], 422), ({"a": "x" * 300_000}, 413)])
def test_bad_configurations_are_refused(api_as, admin_user, org, body, status):
    assert _put(api_as(admin_user), org, body).status_code == status


def test_environment_facts_keep_their_source(api_as, org):
    api = api_as(make_staff("engineer_t4"))
    response = api.put(f"/organizations/{org.pk}/environment",
                       {"facts": {"runtime": "CPython 3.12", "cloud": "AWS eu-central-1"}, "source": "agent"})
    facts = {f["name"]: (f["value"], f["source"]) for f in response.json()["environment"]}
    assert facts == {"runtime": ("CPython 3.12", "agent"), "cloud": ("AWS eu-central-1", "agent")}
    assert api.put(f"/organizations/{org.pk}/environment", {"facts": {"a": "b"}, "source": "rumour"}).status_code \
        == 422


def test_nul_characters_are_refused_before_the_database_sees_them(api_as, admin_user, org):
    api = api_as(admin_user)
    assert _put(api, org, {"a\x00": "b"}).status_code == 422
    assert _put(api, org, {"a": "b\x00"}).status_code == 422
    issue = make_issue(org)
    assert api.post(f"/organizations/{org.pk}/unmask", {"issue": issue.key, "reason": "ten chars\x00!"}).status_code \
        == 422
    assert api.get("/audit", q="x\x00").status_code == 422
