"""Masking by default, just-in-time unmask with a reason and a time limit, second-person approval,
sensitivity rules, and the audit entries each of these writes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_contact, make_customer, make_issue, make_staff
from tierline.audit.models import AuditEntry
from tierline.customers.actions import do_update_organization
from tierline.customers.models import UnmaskGrant
from tierline.customers.sensitivity import MASK, Classifier

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(org):
    make_contact(org, email="jonas@acme.example", name="Jonas Berg", phone="+49 30 1234")
    return org


def _contact(profile):
    return profile["contacts"][0]


def test_personal_values_are_masked_by_default(api_as, acme):
    profile = api_as(make_staff("senior_engineer_t5")).get(f"/organizations/{acme.pk}/profile").json()
    assert _contact(profile) == {"id": _contact(profile)["id"], "name": MASK, "email": MASK, "phone": MASK}
    assert profile["unmasked"] is False and profile["name"] == "Acme Robotics"
    assert not AuditEntry.objects.filter(action="personal_data.viewed").exists()


def test_unmask_needs_a_reason_and_an_open_issue_of_the_organization(api_as, acme, other_org):
    api = api_as(make_staff("engineer_t4"))
    issue, theirs = make_issue(acme), make_issue(other_org)
    url = f"/organizations/{acme.pk}/unmask"
    assert api.post(url, {"issue": issue.key, "reason": "because"}).json()["fields"] == {
        "reason": "at least 10 characters"}
    assert api.post(url, {"issue": theirs.key, "reason": "login fails for Jonas"}).status_code == 422
    assert api.post(url, {"issue": "TL-999999", "reason": "login fails for Jonas"}).status_code == 422
    assert not UnmaskGrant.objects.exists()


def test_unmask_shows_personal_values_for_a_limited_time_and_records_each_view(api_as, acme, settings):
    engineer = make_staff("engineer_t4", name="Erin")
    api = api_as(engineer)
    issue = make_issue(acme, assignee=engineer)
    grant = api.post(f"/organizations/{acme.pk}/unmask", {"issue": issue.key, "reason": "login fails for Jonas"})
    assert grant.status_code == 201 and grant.json()["is_active"] is True
    expires = UnmaskGrant.objects.get().expires_at
    assert timedelta(minutes=29) < expires - timezone.now() <= timedelta(minutes=settings.UNMASK_MINUTES)

    profile = api.get(f"/organizations/{acme.pk}/profile").json()
    assert (_contact(profile)["email"], _contact(profile)["phone"]) == ("jonas@acme.example", "+49 30 1234")
    assert profile["unmasked"] is True
    requested, viewed = AuditEntry.objects.filter(organization=acme, action__startswith="personal_data.")
    assert (requested.action, requested.reason, requested.data["issue"]) == (
        "personal_data.unmask_requested", "login fails for Jonas", issue.key)
    assert (viewed.action, viewed.actor, viewed.reason) == ("personal_data.viewed", engineer, "login fails for Jonas")

    # Someone else still sees masks; and after the time limit, so does the engineer.
    other = api_as(make_staff("engineer_t4")).get(f"/organizations/{acme.pk}/profile").json()
    assert _contact(other)["email"] == MASK
    UnmaskGrant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _contact(api.get(f"/organizations/{acme.pk}/profile").json())["email"] == MASK


def test_chosen_organizations_need_a_second_persons_approval(api_as, acme):
    do_update_organization(acme, unmask_needs_approval=True)
    engineer, senior = make_staff("engineer_t4"), make_staff("senior_engineer_t5", name="Sam Senior")
    issue = make_issue(acme, assignee=engineer)
    requested = api_as(engineer).post(f"/organizations/{acme.pk}/unmask",
                                      {"issue": issue.key, "reason": "login fails for Jonas"}).json()
    assert requested["needs_approval"] is True and requested["is_active"] is False
    assert _contact(api_as(engineer).get(f"/organizations/{acme.pk}/profile").json())["email"] == MASK

    # Nobody approves their own request, and only approvers approve.
    assert api_as(engineer).post(f"/unmask-grants/{requested['id']}/approve", {}).status_code == 403
    pending = api_as(senior).get(f"/organizations/{acme.pk}/profile").json()["pending_unmask_grants"]
    assert [g["id"] for g in pending] == [requested["id"]]
    approved = api_as(senior).post(f"/unmask-grants/{requested['id']}/approve", {})
    assert approved.status_code == 200 and approved.json()["approved_by"] == "Sam Senior"
    assert api_as(senior).post(f"/unmask-grants/{requested['id']}/approve", {}).status_code == 422

    assert _contact(api_as(engineer).get(f"/organizations/{acme.pk}/profile").json())["email"] == "jonas@acme.example"
    entry = AuditEntry.objects.get(action="personal_data.unmask_approved")
    assert entry.actor == senior and entry.data["requested_by"] == engineer.email


def test_customers_see_who_looked_and_why(api_as, acme):
    engineer = make_staff("engineer_t4", name="Erin")
    issue = make_issue(acme, assignee=engineer)
    api_as(engineer).post(f"/organizations/{acme.pk}/unmask", {"issue": issue.key, "reason": "login fails for Jonas"})
    api_as(engineer).get(f"/organizations/{acme.pk}/profile")
    log = api_as(make_customer(acme)).get(f"/organizations/{acme.pk}/access-log").json()["items"]
    assert [(e["who"], e["action"], e["issue"]) for e in log] == [
        ("Erin", "personal_data.viewed", issue.key), ("Erin", "personal_data.unmask_requested", issue.key)]


def test_builtin_rules_and_admin_overrides(api_as, admin_user):
    classifier = Classifier(overrides=[])
    assert classifier.classify("configuration.smtp.password") == "secret"
    assert classifier.classify("configuration.billing.contact_email") == "personal"
    assert classifier.classify("configuration.limits.api_rate") == "internal"
    assert classifier.classify("organization.plan") == "public"
    api = api_as(admin_user)
    assert api.put("/sensitivity-rules", {"pattern": "configuration.billing.*", "sensitivity": "secret"}).status_code \
        == 200
    assert Classifier().classify("configuration.billing.contact_email") == "secret"
    assert api.put("/sensitivity-rules", {"pattern": "x", "sensitivity": "hush"}).status_code == 422
    entry = AuditEntry.objects.get(action="sensitivity.changed")
    assert entry.data == {"pattern": "configuration.billing.*", "before": None, "after": "secret"}
    assert api_as(make_staff("engineer_t4")).put("/sensitivity-rules", {"pattern": "configuration.billing.*",
                                                                        "sensitivity": "public"}).status_code == 403


def test_an_unapproved_request_lapses_after_a_day(api_as, acme):
    do_update_organization(acme, unmask_needs_approval=True)
    senior, engineer = make_staff("senior_engineer_t5"), make_staff("engineer_t4")
    grant = api_as(engineer).post(f"/organizations/{acme.pk}/unmask",
                                  {"issue": make_issue(acme, assignee=engineer).key, "reason": "login fails for Jonas"}
                                  ).json()
    UnmaskGrant.objects.filter(pk=grant["id"]).update(created_at=timezone.now() - timedelta(hours=25))
    assert api_as(senior).get(f"/organizations/{acme.pk}/profile").json()["pending_unmask_grants"] == []
    assert api_as(senior).post(f"/unmask-grants/{grant['id']}/approve", {}).status_code == 422
