"""/api/v1/articles and /articles/suggest, answers checked against the OpenAPI document."""

import pytest

from tests.factories import make_customer, make_issue
from tests.knowledge.helpers import make_article
from tierline.issues.actions import do_add_comment, do_update_issue

pytestmark = pytest.mark.django_db


def test_staff_write_publish_and_read(api_as, agent):
    api = api_as(agent)
    created = api.post("/articles", {"title": "Export invoices", "body": "# Steps\n\n<b>Open</b> Billing"})
    assert created.status_code == 201
    article = created.json()
    assert (article["status"], article["visibility"], article["portal_url"]) == ("draft", "internal", None)
    assert "<h1>Steps</h1>" in article["html"] and "&lt;b&gt;" in article["html"]
    published = api.patch(f"/articles/{article['id']}", {"status": "published", "visibility": "public"}).json()
    assert published["published_at"] and published["portal_url"] == f"/portal/kb/{article['id']}/"
    assert published["suggestion_opens"] == 0


def test_a_draft_from_a_resolved_issue(api_as, org, agent):
    api = api_as(agent)
    issue = make_issue(org, title="Invoices lack VAT", description="No VAT lines")
    do_add_comment(issue, author=agent, body="Turn on VAT in Billing.", is_public=True, notify=False)
    refused = api.post("/articles", {"from_issue": issue.key})
    assert refused.status_code == 422 and refused.json()["fields"] == {"issue": "must be resolved or closed"}
    do_update_issue(issue, actor=agent, status="resolved")
    article = api.post("/articles", {"from_issue": issue.key, "visibility": "public"}).json()
    assert article["title"] == "Invoices lack VAT" and article["source_issue"] == issue.key
    assert article["visibility"] == "public" and "Turn on VAT in Billing." in article["body"]
    assert api.post("/articles", {"from_issue": "TL-999999"}).status_code == 404


def test_customers_read_public_published_articles_of_any_organization(api_as, org, other_org):
    public = make_article("Export invoices")
    internal = make_article("Restart the exporter", visibility="internal")
    draft = make_article("Export limits", status="draft")
    api = api_as(make_customer(other_org))
    assert [a["id"] for a in api.get("/articles").json()["items"]] == [public.pk]
    assert api.get(f"/articles/{public.pk}").json()["deflections"] is None  # counts are for staff
    assert api.get(f"/articles/{internal.pk}").status_code == 404
    assert api.get(f"/articles/{draft.pk}").status_code == 404
    assert api.patch(f"/articles/{public.pk}", {"title": "Mine"}).status_code == 403
    assert api.patch(f"/articles/{internal.pk}", {"title": "Mine"}).status_code == 404


def test_suggest_for_customers_and_staff(api_as, org, agent):
    public = make_article("Export invoices as CSV", "Billing, then Export.")
    internal = make_article("Restart the invoice exporter", "ssh in", visibility="internal")
    customer = api_as(make_customer(org)).get("/articles/suggest", q="export invoices").json()["items"]
    assert [s["id"] for s in customer] == [public.pk]
    assert customer[0]["portal_url"] == f"/portal/kb/{public.pk}/" and customer[0]["summary"] == "Billing, then Export."
    staff = api_as(agent).get("/articles/suggest", q="invoice exporter restart").json()["items"]
    assert staff[0]["id"] == internal.pk and staff[0]["portal_url"] is None
    assert api_as(agent).get("/articles/suggest", q="").json()["items"] == []


def test_bad_input(api_as, agent):
    api = api_as(agent)
    assert api.post("/articles", {"title": ""}).status_code == 422
    assert api.post("/articles", {"title": "X", "visibility": "everyone"}).status_code == 422
    assert api.patch(f"/articles/{make_article().pk}", {"status": "gone"}).status_code == 422
    assert api.get("/articles", cursor="garbage").status_code == 422


def test_the_list_pages_by_cursor_and_keeps_its_query_count(api_as, agent, django_assert_max_num_queries):
    api = api_as(agent)
    for n in range(7):
        make_article(f"Article {n}")
    with django_assert_max_num_queries(5):
        first = api.get("/articles", limit=5).json()
    second = api.get("/articles", limit=5, cursor=first["next_cursor"]).json()
    assert len(first["items"]) == 5 and len(second["items"]) == 2 and second["next_cursor"] is None
    assert {a["title"] for a in first["items"] + second["items"]} == {f"Article {n}" for n in range(7)}
