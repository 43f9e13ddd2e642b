"""The desk's feature request pages: the ranked list and its CSV export, a request's page, and
marking an issue from its page."""

import csv
import io

import pytest

from tests.factories import make_contact, make_issue
from tests.feedback.helpers import ask, make_request, make_revenue_org
from tierline.audit.models import AuditEntry
from tierline.feedback.actions import do_update_feature_request
from tierline.feedback.models import FeatureRequest, RequestLink
from tierline.intake.similar import catch_up
from tierline.issues.models import Comment, Severity

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, agent):
    client.force_login(agent)
    return client


def test_the_list_ranks_requests(desk):
    big, small = make_revenue_org("Big Bank", 400_000), make_revenue_org("Small Shop", 5_000)
    sso, dark = make_request("Single sign-on"), make_request("Dark mode")
    ask(sso, big)
    ask(dark, small)
    ask(dark, make_revenue_org("Tiny Co", 1_000))
    page = desk.get("/desk/requests/").content.decode()
    assert page.index("Single sign-on") < page.index("Dark mode")
    page = desk.get("/desk/requests/", {"sort": "customers"}).content.decode()
    assert page.index("Dark mode") < page.index("Single sign-on")


def test_the_list_page_keeps_its_query_count(desk, django_assert_max_num_queries):
    for i in range(15):
        request = make_request(f"Request {i}")
        for j in range(3):
            ask(request, make_revenue_org(f"Org {i}-{j}", 1000 * j))
    with django_assert_max_num_queries(6):
        response = desk.get("/desk/requests/")
    assert response.content.decode().count("/desk/requests/") >= 15


def test_the_csv_export_names_organizations_and_is_audited(desk, agent):
    sso = make_request("Single sign-on")
    ask(sso, make_revenue_org("Big Bank", 400_000, 20_000), requester=make_contact(None, email="x@bank.example"))
    ask(sso, make_revenue_org("Mid Mart", 100_000))
    response = desk.get("/desk/requests/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["rank", "key", "title"]
    assert rows[1][1:3] == [sso.key, "Single sign-on"]
    assert rows[1][5:9] == ["2", "2", "500000.00", "20000.00"]
    assert rows[1][10] == "Big Bank; Mid Mart"
    assert "x@bank.example" not in response.content.decode()  # people are never exported
    entry = AuditEntry.objects.get(action="feature_request.exported")
    assert entry.actor == agent and entry.data["rows"] == 1


def test_the_request_page_shows_who_asked_masked(desk, org):
    request = make_request("Single sign-on")
    ask(request, org, requester=make_contact(org, name="Maya Moss", email="maya@acme.example"))
    page = desk.get(f"/desk/requests/{request.pk}/").content.decode()
    assert org.name in page and "Maya" not in page and "maya@acme.example" not in page


def test_tell_from_the_page_replies_once(desk, org, agent):
    request = make_request("Single sign-on")
    issue = ask(request, org)
    page = desk.get(f"/desk/requests/{request.pk}/").content.decode()
    assert "Tell 1 customer" not in page  # not shipped yet
    do_update_feature_request(request, actor=agent, status="shipped")
    assert "Tell 1 customer" in desk.get(f"/desk/requests/{request.pk}/").content.decode()
    response = desk.post(f"/desk/requests/{request.pk}/tell", {"body": "", "resolve-shown": "1"})
    assert response.status_code == 302 and response["Location"].endswith("?done=told-1")
    desk.post(f"/desk/requests/{request.pk}/tell", {"body": "", "resolve-shown": "1"})
    assert Comment.objects.filter(issue=issue).count() == 1
    issue.refresh_from_db()
    assert issue.status == "open"  # the box was left unticked
    assert "Every customer asking has been told" in desk.get(f"/desk/requests/{request.pk}/").content.decode()


def test_merge_from_the_page_and_its_errors(desk, org):
    target, duplicate = make_request("Single sign-on"), make_request("SAML login")
    ask(duplicate, org)
    refused = desk.post(f"/desk/requests/{duplicate.pk}/merge", {"into": target.pk, "reason": ""})
    assert refused.status_code == 422 and "Say why" in refused.content.decode()
    desk.post(f"/desk/requests/{duplicate.pk}/merge", {"into": target.pk, "reason": "same"})
    assert FeatureRequest.objects.get(pk=duplicate.pk).merged_into == target
    page = desk.get(f"/desk/requests/{duplicate.pk}/").content.decode()
    assert "Merged into" in page and target.key in page


def test_edit_keeps_what_was_typed_on_error(desk):
    request = make_request("Single sign-on")
    response = desk.post(f"/desk/requests/{request.pk}/edit", {"title": "", "status": "planned"})
    assert response.status_code == 422
    request.refresh_from_db()
    assert (request.title, request.status) == ("Single sign-on", "open")


def test_mark_an_issue_from_its_page_with_suggestions(desk, org):
    sso = make_request("Single sign-on")
    ask(sso, org, title="Please support Okta single sign-on")
    issue = make_issue(org, title="Okta single sign-on for our team?", severity=Severity.S4)
    assert "Convert this question to a feature request" in desk.get(f"/desk/issues/{issue.key}/").content.decode()
    catch_up()
    page = desk.get(f"/desk/issues/{issue.key}/feature-request").content.decode()
    assert "Similar issues ask for" in page and sso.key in page
    response = desk.post(f"/desk/issues/{issue.key}/feature-request", {"request": sso.pk})
    assert response["Location"] == f"/desk/issues/{issue.key}/"
    assert RequestLink.objects.get(issue=issue).request == sso
    assert f"Asks for <a href=\"/desk/requests/{sso.pk}/\">{sso.key}</a>" in desk.get(
        f"/desk/issues/{issue.key}/").content.decode()
    unknown = desk.post(f"/desk/issues/{issue.key}/feature-request", {"request": "999999"})
    assert unknown.status_code == 422

