import base64

import pytest

from tests.factories import make_component, make_contact, make_customer, make_issue, make_staff, make_team
from tierline.accounts.actions import do_revoke_api_token
from tierline.accounts.models import ApiToken
from tierline.issues.models import Comment, Issue

pytestmark = pytest.mark.django_db


def test_create_get_and_update_an_issue(api_as, agent, org):
    api = api_as(agent)
    requester = make_contact(org)
    created = api.post("/issues", {"title": "Export truncates", "severity": 2, "organization_id": org.pk,
                                   "requester_id": requester.pk})
    assert created.status_code == 201
    key = created.json()["key"]
    assert created.json()["organization"] == {"id": org.pk, "name": "Acme Robotics"}
    assert created.json()["channel"] == "api"

    fetched = api.get(f"/issues/{key}")
    assert fetched.json()["title"] == "Export truncates"
    assert api.get(f"/issues/{key.lower()}").status_code == 200

    team = make_team("Core", tier=4)
    updated = api.patch(f"/issues/{key}", {"status": "open", "assignee_id": agent.pk, "team_id": team.pk})
    assert updated.status_code == 200
    body = updated.json()
    assert (body["status"], body["assignee"]["id"], body["team"]["name"]) == ("open", agent.pk, "Core")
    cleared = api.patch(f"/issues/{key}", {"assignee_id": None})
    assert cleared.json()["assignee"] is None


def test_validation_errors_name_the_fields(api_as, agent):
    api = api_as(agent)
    response = api.post("/issues", {"title": "", "severity": 7})
    assert response.status_code == 422
    assert response.json()["detail"] == "Invalid input"
    assert {"title", "severity"} <= set(response.json()["fields"])
    response = api.post("/issues", {"title": "x", "organization_id": 999999})
    assert response.status_code == 422
    assert response.json()["fields"] == {"organization_id": "does not exist"}


def test_malformed_json_is_a_400_not_a_500(api_as, agent):
    api = api_as(agent)
    response = api.client.post("/api/v1/issues", data="{nope", content_type="application/json", headers=api.headers)
    assert response.status_code == 400
    assert "detail" in response.json()


def test_unknown_issue_is_404(api_as, agent):
    api = api_as(agent)
    assert api.get("/issues/TL-999999").status_code == 404
    assert api.get("/issues/not-a-key").status_code == 404
    assert api.get("/issues/XX-1").status_code == 404


def test_reply_to_an_unknown_issue_is_404_and_writes_nothing(api_as, agent):
    api = api_as(agent)
    for key in ("TL-999999", "not-a-key"):
        response = api.post(f"/issues/{key}/comments", {"body": "hello?", "is_public": True})
        assert response.status_code == 404
        assert "not found" in response.json()["detail"]
    assert not Comment.objects.exists()


def test_filters_and_search(api_as, agent, org, other_org):
    api = api_as(agent)
    mine = make_issue(org, title="Invoice VAT wrong", channel="email", severity=1)
    make_issue(other_org, title="Dashboard slow")
    do = api.get("/issues", organization=org.pk)
    assert [i["key"] for i in do.json()["items"]] == [mine.key]
    assert [i["key"] for i in api.get("/issues", q="vat").json()["items"]] == [mine.key]
    assert [i["key"] for i in api.get("/issues", q=mine.key).json()["items"]] == [mine.key]
    assert [i["key"] for i in api.get("/issues", channel="email").json()["items"]] == [mine.key]
    assert [i["key"] for i in api.get("/issues", priority="0").json()["items"]] == [mine.key]
    assert len(api.get("/issues", priority="0,2").json()["items"]) == 2
    assert api.get("/issues", status="bogus").status_code == 422
    assert api.get("/issues", sort="sideways").status_code == 422


def test_assignee_filters(api_as, agent, org):
    api = api_as(agent)
    mine = make_issue(org, assignee=agent)
    nobody = make_issue(org)
    assert [i["key"] for i in api.get("/issues", assignee="me").json()["items"]] == [mine.key]
    assert [i["key"] for i in api.get("/issues", assignee="none").json()["items"]] == [nobody.key]


@pytest.mark.parametrize("sort", ["-updated", "updated", "-created", "created", "priority", "-priority"])
def test_cursor_pagination_visits_every_issue_once_in_order(api_as, agent, org, sort):
    api = api_as(agent)
    for n in range(23):
        make_issue(org, severity=1 + n % 4)
    seen, cursor = [], None
    while True:
        params = {"limit": 5, "sort": sort, **({"cursor": cursor} if cursor else {})}
        page = api.get("/issues", **params).json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 23
    assert len({i["key"] for i in seen}) == 23
    field, reverse = {"-updated": ("updated_at", True), "updated": ("updated_at", False),
                      "-created": ("created_at", True), "created": ("created_at", False),
                      "priority": ("priority", False), "-priority": ("priority", True)}[sort]
    values = [i[field] for i in seen]
    assert values == sorted(values, reverse=reverse)


def test_tampered_cursor_is_a_422(api_as, agent, org):
    api = api_as(agent)
    for bad in ["zzz", base64.urlsafe_b64encode(b'["x", 1]').decode(), base64.urlsafe_b64encode(b"{}").decode()]:
        response = api.get("/issues", cursor=bad)
        assert response.status_code == 422
        assert "cursor" in response.json()["fields"]


def test_comments_public_and_internal(api_as, agent, org):
    api = api_as(agent)
    issue = make_issue(org)
    assert api.post(f"/issues/{issue.key}/comments", {"body": "Hello", "is_public": True}).status_code == 201
    assert api.post(f"/issues/{issue.key}/comments", {"body": "note", "is_public": False}).status_code == 201
    comments = api.get(f"/issues/{issue.key}/comments").json()
    assert [(c["body"], c["is_public"]) for c in comments] == [("Hello", True), ("note", False)]
    assert api.post(f"/issues/{issue.key}/comments", {"body": "  "}).status_code == 422


def test_attachment_upload_and_size_limit(api_as, agent, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MAX_ATTACHMENT_BYTES = 16
    api = api_as(agent)
    issue = make_issue(org)
    ok = api.post(f"/issues/{issue.key}/comments", {"body": "log", "attachments": [
        {"filename": "a.txt", "content_type": "text/plain", "content_base64": base64.b64encode(b"hello").decode()}]})
    assert ok.status_code == 201
    assert ok.json()["attachments"][0]["size"] == 5
    big = api.post(f"/issues/{issue.key}/comments", {"body": "big log", "attachments": [
        {"filename": "b.txt", "content_base64": base64.b64encode(b"x" * 17).decode()}]})
    assert big.status_code == 413
    assert issue.comments.count() == 1
    broken = api.post(f"/issues/{issue.key}/comments", {"body": "b", "attachments": [
        {"filename": "c.txt", "content_base64": "!!!"}]})
    assert broken.status_code == 422


def test_customer_creates_issue_for_own_org_only(api_as, org, other_org):
    customer = make_customer(org)
    api = api_as(customer)
    created = api.post("/issues", {"title": "Cannot log in"})
    assert created.status_code == 201
    issue = Issue.objects.get(pk=int(created.json()["key"].split("-")[1]))
    assert (issue.organization, issue.requester) == (org, customer.contact)
    assert api.post("/issues", {"title": "x", "organization_id": other_org.pk}).status_code == 422
    assert api.post("/issues", {"title": "x", "priority": 0}).status_code == 403


def test_customer_sees_only_public_comments_and_own_issues(api_as, agent, org, other_org):
    customer = make_customer(org)
    mine, theirs = make_issue(org), make_issue(other_org)
    staff = api_as(agent)
    staff.post(f"/issues/{mine.key}/comments", {"body": "public", "is_public": True})
    staff.post(f"/issues/{mine.key}/comments", {"body": "internal", "is_public": False})
    api = api_as(customer)
    assert [c["body"] for c in api.get(f"/issues/{mine.key}/comments").json()] == ["public"]
    assert [i["key"] for i in api.get("/issues").json()["items"]] == [mine.key]
    assert api.get(f"/issues/{theirs.key}").status_code == 404
    assert api.get(f"/issues/{theirs.key}/comments").status_code == 404
    assert api.post(f"/issues/{theirs.key}/comments", {"body": "hi"}).status_code == 404
    assert api.post(f"/issues/{mine.key}/comments", {"body": "x", "is_public": False}).status_code == 403


def test_tokens_wrong_revoked_and_inactive_are_401(api_as, agent, client):
    assert client.get("/api/v1/issues").status_code == 401
    assert client.get("/api/v1/issues", headers={"Authorization": "Bearer tl_wrong"}).status_code == 401
    api = api_as(agent)
    assert api.get("/users/me").json()["email"] == agent.email
    do_revoke_api_token(ApiToken.objects.get(user=agent))
    assert api.get("/users/me").status_code == 401
    other = api_as(make_staff())
    other_user = ApiToken.objects.exclude(user=agent).get().user
    other_user.is_active = False
    other_user.save()
    assert other.get("/users/me").status_code == 401


def test_session_login_works_for_the_api(client, agent):
    client.force_login(agent)
    assert client.get("/api/v1/users/me").json()["role"] == "support_t1"


def test_openapi_document_and_docs_are_served(client):
    document = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/issues", "/api/v1/issues/{key}", "/api/v1/issues/{key}/comments", "/api/v1/organizations",
            "/api/v1/contacts", "/api/v1/teams", "/api/v1/users/me"} <= set(document["paths"])
    assert client.get("/api/v1/docs").status_code == 200


def test_component_and_team_lookup(api_as, agent, org):
    api = api_as(agent)
    component = make_component("Billing", owner_team=make_team("Money", tier=4))
    created = api.post("/issues", {"title": "Double charge", "component_id": component.pk})
    assert created.json()["team"]["name"] == "Money"
    assert api.post("/issues", {"title": "x", "component_id": 424242}).json()["fields"] == {
        "component_id": "does not exist"}


@pytest.mark.parametrize("path", [
    "/contacts?organization_id=99999999999999999999999", "/issues?team=99999999999999999999999",
    "/issues?organization=-1",
])
def test_ids_beyond_64_bits_are_a_422_not_an_overflow(api_as, agent, path):
    response = api_as(agent).client.get(f"/api/v1{path}", headers=api_as(agent).headers)
    assert response.status_code == 422


def test_body_must_be_a_json_object(api_as, agent):
    api = api_as(agent)
    for body in ['"Login broken"', "[]", "42", '{"title": "x", "severity": true}']:
        response = api.client.post("/api/v1/issues", data=body, content_type="application/json", headers=api.headers)
        assert response.status_code == 422, body
    assert not Issue.objects.exists()


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/issues/a/b/c")
    assert response.status_code == 404
    assert response.json()["detail"] == "Not found"
