"""Personal data is masked on every surface that shows people (customers/masking.py): the desk
issue page, the issues and contacts API, the portal; unmasked only with a grant (and then
audited) or for a customer's own organization. Unmasking needs someone working on the issue,
and approvals are by a second person who may see the organization."""

import pytest

from tests.factories import make_contact, make_customer, make_issue, make_staff, make_team, make_unmask_grant
from tierline.audit.models import AuditEntry
from tierline.customers.actions import do_update_organization
from tierline.customers.models import UnmaskGrant
from tierline.customers.sensitivity import MASK
from tierline.issues.actions import do_add_comment, do_record_notification
from tierline.issues.models import Channel

pytestmark = pytest.mark.django_db


@pytest.fixture
def jonas(org):
    return make_contact(org, email="jonas@acme.example", name="Jonas Berg", phone="+49 30 1234")


@pytest.fixture
def reported(org, jonas):
    """An issue Jonas reported by mail and answered, with his reply in the timeline."""
    issue = make_issue(org, requester=jonas, channel=Channel.EMAIL, title="Login fails")
    do_add_comment(issue, body="Still broken", is_public=True, author_contact=jonas, channel=Channel.EMAIL)
    do_record_notification(issue, comment=None, recipient="jonas@acme.example", message_id="<m1@tierline>")
    return issue


def _viewed():
    return list(AuditEntry.objects.filter(action="personal_data.viewed").values_list("actor_id", "data"))


def test_the_desk_issue_page_masks_the_requester_and_the_customers_people(client, reported):
    engineer = make_staff("engineer_t4")
    client.force_login(engineer)
    page = client.get(f"/desk/issues/{reported.key}/").content.decode()
    assert "Jonas" not in page and "jonas@acme.example" not in page and MASK in page
    assert _viewed() == []

    make_unmask_grant(reported.organization, reported, requester=engineer)
    page = client.get(f"/desk/issues/{reported.key}/").content.decode()
    assert "Jonas Berg" in page and "emailed jonas@acme.example" in page
    assert _viewed() == [(engineer.pk, {"issue": reported.key, "what": f"issue {reported.key}"})]


def test_the_issues_api_masks_requesters_and_customer_authors(api_as, reported, jonas):
    engineer = make_staff("engineer_t4")
    api = api_as(engineer)
    assert api.get(f"/issues/{reported.key}").json()["requester"] == {"id": jonas.pk, "name": MASK}
    assert [i["requester"]["name"] for i in api.get("/issues").json()["items"]] == [MASK]
    assert [c["author"] for c in api.get(f"/issues/{reported.key}/comments").json()] == [MASK]
    assert _viewed() == []

    make_unmask_grant(reported.organization, reported, requester=engineer)
    assert api.get(f"/issues/{reported.key}").json()["requester"]["name"] == "Jonas Berg"
    assert [c["author"] for c in api.get(f"/issues/{reported.key}/comments").json()] == ["Jonas Berg"]
    assert [data["what"] for _, data in _viewed()] == [f"issue {reported.key}", f"issue {reported.key} comments"]


def test_the_contacts_api_masks_for_staff_and_shows_customers_their_colleagues(api_as, org, other_org, jonas):
    make_contact(other_org, email="gina@globex.example", name="Gina")
    staff = api_as(make_staff("support_t2"))
    shown = staff.get(f"/contacts/{jonas.pk}").json()
    assert shown == {"id": jonas.pk, "organization_id": org.pk, "name": MASK, "email": MASK, "phone": MASK}
    assert {c["email"] for c in staff.get("/contacts").json()["items"]} == {MASK}
    # No reading masked values a few letters at a time: staff find a contact by its exact address.
    assert staff.get("/contacts", q="jonas").json()["items"] == []
    assert [c["id"] for c in staff.get("/contacts", q="Jonas@acme.example").json()["items"]] == [jonas.pk]

    colleague = api_as(make_customer(org, name="Carla"))
    emails = {c["email"] for c in colleague.get("/contacts").json()["items"]}
    assert "jonas@acme.example" in emails and "gina@globex.example" not in emails
    assert [c["name"] for c in colleague.get("/contacts", q="jon").json()["items"]] == ["Jonas Berg"]
    assert _viewed() == []  # a customer reading their own organization is not the company looking


def test_contacts_unmasked_by_a_grant_are_audited_once_per_request(api_as, org, jonas):
    engineer = make_staff("engineer_t4")
    make_unmask_grant(org, make_issue(org), requester=engineer, reason="Jonas cannot log in")
    items = api_as(engineer).get("/contacts").json()["items"]
    assert {c["email"] for c in items} == {"jonas@acme.example"}
    entry = AuditEntry.objects.get(action="personal_data.viewed")
    assert (entry.actor, entry.organization, entry.reason, entry.data["what"]) == (
        engineer, org, "Jonas cannot log in", "contacts")


def test_the_portal_shows_customers_their_own_people(client, reported):
    client.force_login(make_customer(reported.organization))
    assert "Jonas Berg" in client.get("/portal/").content.decode()
    assert "Jonas Berg" in client.get(f"/portal/issues/{reported.key}/").content.decode()


@pytest.mark.parametrize("how", ["assignee", "team", "team task"])
def test_whoever_works_on_the_issue_may_unmask(api_as, org, how):
    from tierline.escalation.problems import do_set_team_task

    engineer = make_staff("engineer_t4")
    team = make_team(members=[engineer])
    issue = make_issue(org, **({"assignee": engineer} if how == "assignee" else {"team": team} if how == "team"
                               else {}))
    if how == "team task":
        do_set_team_task(issue, actor=None, team=team, title="Check the sessions")
    response = api_as(engineer).post(f"/organizations/{org.pk}/unmask",
                                     {"issue": issue.key, "reason": "login fails for Jonas"})
    assert response.status_code == 201 and response.json()["issue"] == issue.key


def test_nobody_else_may_unmask_not_even_an_admin(api_as, org):
    issue = make_issue(org, assignee=make_staff("engineer_t4"))
    for role in ("engineer_t4", "admin"):
        response = api_as(make_staff(role)).post(f"/organizations/{org.pk}/unmask",
                                                 {"issue": issue.key, "reason": "login fails for Jonas"})
        assert response.status_code == 403 and "issue" in response.json()["fields"]
    assert not UnmaskGrant.objects.exists()


def test_approval_is_by_a_second_person_who_may_approve_and_see_the_organization(api_as, org, other_org):
    do_update_organization(org, unmask_needs_approval=True)
    engineer = make_staff("senior_engineer_t5")
    grant = make_unmask_grant(org, make_issue(org), requester=engineer)
    url = f"/unmask-grants/{grant.pk}/approve"
    assert api_as(engineer).post(url, {}).status_code == 403  # not one's own, even with the permission
    assert api_as(make_staff("engineer_t4")).post(url, {}).status_code == 403  # no approving permission
    assert api_as(make_customer(org)).post(url, {}).status_code == 404
    assert api_as(make_customer(other_org)).post(url, {}).status_code == 404
    assert api_as(make_staff("senior_engineer_t5")).post(url, {}).status_code == 200


def test_a_grant_for_a_closed_issue_is_not_approved(api_as, org):
    from tierline.issues.actions import do_update_issue

    do_update_organization(org, unmask_needs_approval=True)
    issue = make_issue(org)
    grant = make_unmask_grant(org, issue)
    do_update_issue(issue, actor=None, status="closed")
    assert api_as(make_staff("admin")).post(f"/unmask-grants/{grant.pk}/approve", {}).status_code == 422


def test_the_admin_site_lists_contacts_masked(client, admin_user, jonas):
    client.force_login(admin_user)
    listing = client.get("/admin/customers/contact/").content.decode()
    assert "jonas@acme.example" not in listing and "Jonas Berg" not in listing and MASK in listing
    page = client.get(f"/admin/customers/contact/{jonas.pk}/change/").content.decode()
    assert "jonas@acme.example" not in page and "Jonas" not in page and str(jonas) == f"Contact {jonas.pk}"
    assert 'id="result_list"' not in client.get("/admin/customers/contact/", {"q": "jonas"}).content.decode()
    found = client.get("/admin/customers/contact/", {"q": "jonas@acme.example"}).content.decode()
    assert 'id="result_list"' in found and "jonas@acme.example" not in found.split('id="result_list"')[1]


def test_an_unmasked_view_records_who_what_when_why_and_from_where(client, reported):
    engineer = make_staff("engineer_t4")
    make_unmask_grant(reported.organization, reported, requester=engineer, reason="Jonas cannot log in")
    client.force_login(engineer)
    client.get(f"/desk/issues/{reported.key}/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Firefox/128")
    entry = AuditEntry.objects.get(action="personal_data.viewed")
    assert (entry.actor, entry.organization, entry.reason) == (engineer, reported.organization, "Jonas cannot log in")
    assert entry.data == {"issue": reported.key, "what": f"issue {reported.key}"}
    assert (entry.ip_address, entry.user_agent, entry.created_at is not None) == ("203.0.113.9", "Firefox/128", True)
