import pytest

from tests.factories import make_customer, make_issue
from tierline.issues.actions import do_add_comment, do_update_issue
from tierline.issues.models import Issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(org):
    return make_customer(org, name="Maya Patel")


@pytest.fixture
def portal(client, customer):
    client.force_login(customer)
    return client


def test_list_shows_own_organization_only(portal, org, other_org):
    make_issue(org, title="Our export fails")
    make_issue(other_org, title="Someone else's problem")
    page = portal.get("/portal/").content.decode()
    assert "Our export fails" in page and "Someone else" not in page


def test_open_a_new_issue(portal, customer, org):
    response = portal.post("/portal/new", {"title": "SSO loops", "description": "Since today", "severity": "2"})
    assert response.status_code == 302
    issue = Issue.objects.get(title="SSO loops")
    assert (issue.organization, issue.requester, issue.channel, issue.severity) == (org, customer.contact, "portal", 2)


def test_invalid_new_issue_keeps_what_was_typed(portal):
    response = portal.post("/portal/new", {"title": "", "description": "A long description I typed", "severity": "2"})
    assert response.status_code == 422
    assert "A long description I typed" in response.content.decode()
    assert not Issue.objects.exists()


def test_sees_public_replies_only_and_replies(portal, org, agent, customer):
    issue = make_issue(org, requester=customer.contact)
    do_add_comment(issue, author=agent, body="Public answer", is_public=True, notify=False)
    do_add_comment(issue, author=agent, body="Internal musing", is_public=False)
    page = portal.get(f"/portal/issues/{issue.key}/").content.decode()
    assert "Public answer" in page and "Internal musing" not in page
    portal.post(f"/portal/issues/{issue.key}/", {"body": "Thanks, still failing"})
    last = issue.comments.last()
    assert (last.body, last.author_contact, last.is_public) == ("Thanks, still failing", customer.contact, True)


def test_reply_reopens_a_resolved_issue(portal, org, agent, customer):
    issue = make_issue(org, requester=customer.contact)
    do_update_issue(issue, actor=agent, status="resolved")
    portal.post(f"/portal/issues/{issue.key}/", {"body": "It is back"})
    issue.refresh_from_db()
    assert issue.status == "open"


def test_staff_are_sent_to_the_desk(client, agent):
    client.force_login(agent)
    assert client.get("/portal/")["Location"] == "/desk/"
    assert client.get("/")["Location"] == "/desk/"
