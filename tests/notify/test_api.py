import pytest
from django.core import mail

from tests.factories import make_contact, make_customer, make_issue, make_org, make_staff
from tierline.audit.models import AuditEntry
from tierline.issues.actions import do_update_issue
from tierline.issues.models import Status
from tierline.notify.delivery import do_deliver_due_webhooks
from tierline.notify.models import WebhookDelivery, WebhookEndpoint
from tierline.notify.surveys import do_rate_issue, make_rating_token

pytestmark = pytest.mark.django_db


def test_fix_shipped_tells_the_linked_customers_and_answers_the_counts(api_as, problem_with_issues, engineer,
                                                                       django_capture_on_commit_callbacks):
    problem, issues = problem_with_issues(2)
    api = api_as(engineer)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/problems/{problem.pk}/fix-shipped", {"version": "2.4.1", "note": "Faster logins"})
    assert response.status_code == 202
    body = response.json()
    assert (body["version"], body["linked"], body["told"], body["to_tell"]) == ("2.4.1", 2, 0, 2)
    assert body["resolve_issues"] is True and body["shipped_by"] == "Erin Engineer"
    for issue in issues:
        issue.refresh_from_db()
        assert issue.status == Status.RESOLVED
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(f"/problems/{problem.pk}/fix-shipped", {})
    assert (again.json()["told"], again.json()["to_tell"]) == (2, 0)
    assert len([m for m in mail.outbox if "2.4.1" in m.body]) == 2


def test_fix_shipped_refuses_bad_input_and_support_roles(api_as, problem_with_issues):
    problem, _ = problem_with_issues(1)
    api = api_as(make_staff("operations_t3"))
    assert api.post(f"/problems/{problem.pk}/fix-shipped", {"version": 241}).status_code == 422
    assert api.post(f"/problems/{problem.pk}/fix-shipped", {"note": "x" * 2001}).status_code == 422
    assert api_as(make_staff("support_t2")).post(f"/problems/{problem.pk}/fix-shipped", {}).status_code == 403


def rated_issue(org, rating, **fields):
    issue = make_issue(org, requester=make_contact(org), **fields)
    issue = do_update_issue(issue, actor=None, status=Status.RESOLVED)
    do_rate_issue(make_rating_token(issue), rating=rating, comment="thanks" if rating == "good" else "")
    return issue


def test_staff_list_and_filter_ratings_in_a_fixed_number_of_queries(api_as, django_assert_max_num_queries):
    org, other = make_org(name="Acme"), make_org(name="Globex")
    for n in range(6):
        rated_issue(org if n % 2 else other, "good" if n < 4 else "bad")
    api = api_as(make_staff("support_t1"))
    with django_assert_max_num_queries(6):  # the token's user, the page
        page = api.get("/satisfaction", limit=4).json()
    assert len(page["items"]) == 4 and page["next_cursor"]
    rest = api.get("/satisfaction", limit=4, cursor=page["next_cursor"]).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    bad = api.get("/satisfaction", rating="bad").json()["items"]
    assert {r["rating"] for r in bad} == {"bad"} and len(bad) == 2
    acme = api.get("/satisfaction", organization_id=org.pk).json()["items"]
    assert {r["organization"] for r in acme} == {"Acme"} and len(acme) == 3
    assert api.get("/satisfaction", rating="meh").status_code == 422
    assert api.get("/satisfaction", cursor="junk").status_code == 422


def test_an_issues_ratings_and_the_csat_figures(api_as):
    org = make_org()
    issue = rated_issue(org, "good")
    api = api_as(make_staff("support_t2"))
    [one] = api.get(f"/issues/{issue.key}/satisfaction").json()
    assert (one["issue"], one["rating"], one["comment"]) == (issue.key, "good", "thanks")
    rated_issue(org, "bad")
    weeks = api.get("/satisfaction/csat", by="week").json()
    assert [(w["ratings"], w["good"], w["share_good"]) for w in weeks] == [(2, 1, 0.5)]
    assert api.get("/satisfaction/csat", by="moon").status_code == 422
    customer = api_as(make_customer(org))
    assert customer.get(f"/issues/{issue.key}/satisfaction").status_code == 403
    assert api_as(make_customer(make_org())).get(f"/issues/{issue.key}/satisfaction").status_code == 404


def test_admins_manage_webhooks_and_see_the_secret_once(api_as, receiver, django_capture_on_commit_callbacks):
    admin = make_staff("admin")
    api = api_as(admin)
    created = api.post("/webhooks", {"name": "Ops", "url": receiver.url, "events": ["issue.created"],
                                     "format": "slack"})
    assert created.status_code == 201
    hook = created.json()
    assert hook["secret"].startswith("tlw_") and hook["format"] == "slack"
    shown = api.get(f"/webhooks/{hook['id']}").json()
    assert "secret" not in shown and shown["events"] == ["issue.created"]
    assert hook["secret"] not in WebhookEndpoint.objects.get().salt
    changed = api.patch(f"/webhooks/{hook['id']}", {"events": ["issue.created", "issue.resolved"]}).json()
    assert changed["events"] == ["issue.created", "issue.resolved"]
    rotated = api.post(f"/webhooks/{hook['id']}/rotate", {}).json()["secret"]
    assert rotated != hook["secret"]
    receiver.secret = rotated
    with django_capture_on_commit_callbacks(execute=True):
        tested = api.post(f"/webhooks/{hook['id']}/test", {})
    assert tested.status_code == 202 and tested.json()["items"][0]["event"] == "ping"
    log = api.get(f"/webhooks/{hook['id']}/deliveries").json()["items"]
    assert [(d["event"], d["status"], d["attempts"], d["last_status_code"]) for d in log] == [
        ("ping", "delivered", 1, 200)]
    assert receiver.received[0].signature_ok
    assert api.delete(f"/webhooks/{hook['id']}").status_code == 204
    assert api.get(f"/webhooks/{hook['id']}").status_code == 404
    assert AuditEntry.objects.filter(action__startswith="webhook.").count() == 4


def test_webhook_input_is_checked(api_as):
    api = api_as(make_staff("admin"))
    for body, field in [({"name": "A", "url": "ftp://x.example/", "events": ["issue.created"]}, "url"),
                        ({"name": "A", "url": "https://x.example/", "events": ["issue.exploded"]}, "events"),
                        ({"name": "A", "url": "https://x.example/", "events": []}, "events"),
                        ({"name": "A", "url": "https://x.example/", "events": ["issue.created"], "format": "xml"},
                         "format")]:
        response = api.post("/webhooks", body)
        assert response.status_code == 422 and field in str(response.json()), body
    hook = api.post("/webhooks", {"name": "A", "url": "https://x.example/", "events": ["issue.created"]}).json()
    assert api.patch(f"/webhooks/{hook['id']}", {"url": None}).status_code == 422
    assert api.patch(f"/webhooks/{hook['id']}", {"url": "gopher://x.example/"}).status_code == 422
    assert WebhookEndpoint.objects.get().url == "https://x.example/"


def test_the_delivery_log_pages_in_a_fixed_number_of_queries(api_as, receiver, django_assert_max_num_queries):
    admin = make_staff("admin")
    api = api_as(admin)
    hook = api.post("/webhooks", {"name": "Ops", "url": receiver.url, "events": ["issue.created"]}).json()
    receiver.secret, receiver.answers = hook["secret"], [500] * 20
    org = make_org()
    for _ in range(8):
        make_issue(org)
    do_deliver_due_webhooks()
    with django_assert_max_num_queries(6):
        page = api.get(f"/webhooks/{hook['id']}/deliveries", limit=5).json()
    assert len(page["items"]) == 5 and all(d["last_status_code"] == 500 for d in page["items"])
    assert all(d["status"] == "pending" and d["next_attempt_at"] for d in page["items"])
    assert len(api.get(f"/webhooks/{hook['id']}/deliveries", status="delivered").json()["items"]) == 0
    assert WebhookDelivery.objects.count() == 8
    listed = api.get("/webhooks").json()
    assert (listed[0]["pending"], listed[0]["failed"]) == (8, 0)
