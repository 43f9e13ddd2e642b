"""/api/v1/feature-requests and /issues/{key}/feature-request, answers checked against the OpenAPI document."""

from urllib.parse import quote

import pytest

from tests.factories import make_contact, make_customer, make_issue, make_staff
from tests.feedback.helpers import ask, make_request, make_revenue_org
from tierline.issues.models import Comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_api(api_as, agent):
    return api_as(agent)


def test_create_mark_and_read_a_request(staff_api, org):
    created = staff_api.post("/feature-requests", {"title": "Dark mode", "description": "Easier at night"})
    assert created.status_code == 201
    request_id = created.json()["id"]
    issue = make_issue(org, title="Is there a dark theme?")
    marked = staff_api.post(f"/issues/{issue.key}/feature-request", {"request_id": request_id})
    assert marked.status_code == 200
    assert marked.json()["request"]["key"] == f"FR-{request_id}"
    assert staff_api.get(f"/issues/{issue.key}/feature-request").json()["request"]["id"] == request_id
    detail = staff_api.get(f"/feature-requests/{request_id}").json()
    assert detail["customers"] == 1 and detail["askers"][0]["organization"]["name"] == org.name
    assert detail["askers"][0]["issues"][0]["key"] == issue.key


def test_marking_without_a_request_makes_one_from_the_issue(staff_api, org):
    issue = make_issue(org, title="Please add SAML")
    answer = staff_api.post(f"/issues/{issue.key}/feature-request", {}).json()
    assert answer["request"]["title"] == "Please add SAML"
    unknown = staff_api.post(f"/issues/{issue.key}/feature-request", {"request_id": 999999})
    assert unknown.status_code == 422 and unknown.json()["fields"] == {"request_id": "does not exist"}


def test_the_list_is_ranked_and_sorted_on_request(staff_api):
    big, small = make_revenue_org("Big Bank", 400_000), make_revenue_org("Small Shop", 5_000)
    sso, dark = make_request("SSO"), make_request("Dark mode")
    ask(sso, big)
    ask(dark, small)
    ask(dark, make_revenue_org("Tiny Co", 1_000))
    by_arr = staff_api.get("/feature-requests").json()["items"]
    assert [r["title"] for r in by_arr] == ["SSO", "Dark mode"]
    assert float(by_arr[0]["arr"]) == 400_000 and float(by_arr[1]["arr"]) == 6_000
    by_customers = staff_api.get("/feature-requests", sort="customers").json()["items"]
    assert [r["title"] for r in by_customers] == ["Dark mode", "SSO"]


def test_merge_and_the_merged_request_answers_as_merged(staff_api, org):
    target, duplicate = make_request("CSV export"), make_request("Spreadsheet export")
    issue = ask(duplicate, org)
    answer = staff_api.post(f"/feature-requests/{duplicate.pk}/merge", {"into_id": target.pk, "reason": "same"})
    assert answer.status_code == 200
    assert answer.json()["merged_into"]["id"] == target.pk and answer.json()["merge_reason"] == "same"
    assert staff_api.get(f"/feature-requests/{duplicate.pk}").json()["merged_into"]["key"] == target.key
    assert staff_api.get(f"/issues/{issue.key}/feature-request").json()["request"]["id"] == target.pk
    assert [r["id"] for r in staff_api.get("/feature-requests").json()["items"]] == [target.pk]
    again = staff_api.patch(f"/feature-requests/{duplicate.pk}", {"status": "planned"})
    assert again.status_code == 422 and "merged" in again.json()["detail"]


def test_patch_and_notify(staff_api, org, django_capture_on_commit_callbacks):
    request = make_request("CSV export")
    issue = ask(request, org, requester=make_contact(org))
    refused = staff_api.post(f"/feature-requests/{request.pk}/notify", {})
    assert refused.status_code == 422 and refused.json()["fields"] == {"status": "must be shipped"}
    shipped = staff_api.patch(f"/feature-requests/{request.pk}", {"status": "shipped"})
    assert shipped.json()["status"] == "shipped" and shipped.json()["to_tell"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        told = staff_api.post(f"/feature-requests/{request.pk}/notify", {"body": "Shipped in 4.2"})
    assert told.json()["told"] == 1 and told.json()["request"]["to_tell"] == 0
    assert staff_api.post(f"/feature-requests/{request.pk}/notify", {}).json()["told"] == 0
    assert list(Comment.objects.filter(issue=issue).values_list("body", flat=True)) == ["Shipped in 4.2"]


def test_requesters_are_masked_for_staff(staff_api, org):
    request = make_request()
    ask(request, org, requester=make_contact(org, name="Maya Moss", email="maya@acme.example"))
    answer = staff_api.get(f"/feature-requests/{request.pk}").content.decode()
    assert "Maya" not in answer and "maya@acme.example" not in answer


def test_customers_see_their_own_issues_request_and_nothing_else(api_as, org, other_org):
    request = make_request("CSV export")
    mine, theirs = ask(request, org), ask(request, other_org)
    customer = api_as(make_customer(org))
    assert customer.get(f"/issues/{mine.key}/feature-request").json()["request"]["title"] == "CSV export"
    assert customer.get(f"/issues/{theirs.key}/feature-request").status_code == 404
    assert customer.get(f"/feature-requests/{request.pk}").status_code == 403
    assert customer.get("/feature-requests").status_code == 403
    assert customer.post(f"/issues/{mine.key}/feature-request", {}).status_code == 403


def test_bad_input_is_a_clear_error(staff_api):
    assert staff_api.post("/feature-requests", {"title": ""}).status_code == 422
    wrong = staff_api.post("/feature-requests", {"title": "X", "status": "maybe"})
    assert wrong.status_code == 422 and "status" in wrong.json()["fields"]
    assert staff_api.get("/feature-requests/999999").status_code == 404
    request = make_request()
    selfmerge = staff_api.post(f"/feature-requests/{request.pk}/merge", {"into_id": request.pk, "reason": "x"})
    assert selfmerge.status_code == 422
    for status in ("maybe", "open\x00"):  # PostgreSQL cannot even compare text holding NUL
        listed = staff_api.get(f"/feature-requests?status=open&status={quote(status)}")
        assert listed.status_code == 422 and "status" in listed.json()["fields"]


def test_the_list_endpoint_keeps_its_query_count(api_as, django_assert_max_num_queries):
    api = api_as(make_staff("support_t2"))
    for i in range(10):
        request = make_request(f"Request {i}")
        for j in range(3):
            ask(request, make_revenue_org(f"Org {i}-{j}", 1000 * j))
    with django_assert_max_num_queries(6):  # token, its use, the requests and their pairs
        assert len(api.get("/feature-requests").json()["items"]) == 10
