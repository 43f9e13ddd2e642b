"""The availability API: a customer's and a component's numbers for a month, outages recorded,
ended and re-scoped, objectives set by admins; customers see only their own, without others' names."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.availability.helpers import make_outage
from tests.factories import make_component, make_customer, make_issue, make_staff
from tierline.availability.actions import do_record_outage, do_set_objective
from tierline.availability.models import Outage

pytestmark = pytest.mark.django_db


def nov(day, hour=0, minute=0.0):
    return datetime(2026, 11, day, hour, tzinfo=UTC) + timedelta(minutes=minute)


@pytest.fixture
def ops(api_as):
    return api_as(make_staff("operations_t3"))


def test_a_customers_month_counts_its_own_its_components_and_everyones_outages(api_as, org, other_org):
    do_set_objective(actor=None, target="99.9", organization=org)
    api = make_component(name="API")
    mine, theirs = make_issue(org), make_issue(other_org)
    do_record_outage(actor=None, title="Acme's database", started_at=nov(3, 10), ended_at=nov(3, 10, 20),
                     organizations=[org], issues=[mine])
    do_record_outage(actor=None, title="API down for everyone", started_at=nov(3, 10, 10), ended_at=nov(3, 10, 30),
                     components=[api], issues=[mine, theirs])
    do_record_outage(actor=None, title="Globex only", started_at=nov(5), ended_at=nov(5, 5), organizations=[other_org])
    do_record_outage(actor=None, title="Everyone", started_at=nov(9, 12), ended_at=nov(9, 12, 13.2), is_global=True)

    staff = api_as(make_staff()).get(f"/organizations/{org.pk}/availability", month="2026-11").json()
    month = staff["month"]
    assert staff["objective"] == "99.9" and staff["objective_from"] == "customer"
    assert month["downtime_minutes"] == pytest.approx(30 + 13.2)  # the overlap counted once
    assert month["allowed_minutes"] == pytest.approx(43.2) and month["left_minutes"] == pytest.approx(0)
    assert month["availability"] == pytest.approx(99.9)
    assert [(c["title"], c["charged_minutes"]) for c in month["consumed"]] == [
        ("Acme's database", 20), ("API down for everyone", 10), ("Everyone", 13.2)]
    assert len(staff["days"]) == 30 and staff["days"][2]["downtime_minutes"] == 30

    customer = api_as(make_customer(org)).get(f"/organizations/{org.pk}/availability", month="2026-11").json()
    assert customer["month"]["downtime_minutes"] == month["downtime_minutes"]
    assert {c["title"] for c in customer["month"]["consumed"]} == {None}  # titles may name others
    assert customer["month"]["consumed"][1]["issues"] == [mine.key]  # not Globex's issue


def test_a_component_counts_its_outages_and_everyones(api_as, org):
    api, billing = make_component(name="API"), make_component(name="Billing")
    do_record_outage(actor=None, title="API", started_at=nov(3, 10), ended_at=nov(3, 11), components=[api])
    do_record_outage(actor=None, title="Acme on the API", started_at=nov(4, 10), ended_at=nov(4, 11),
                     components=[api], organizations=[org])
    do_record_outage(actor=None, title="Billing", started_at=nov(5, 10), ended_at=nov(5, 11), components=[billing])
    answer = api_as(make_staff()).get(f"/components/{api.pk}/availability", month="2026-11").json()
    assert answer["month"]["downtime_minutes"] == 120
    assert answer["objective"] == "99.9" and answer["objective_from"] == "default"


def test_a_bad_month_is_a_clear_error(api_as, org):
    answer = api_as(make_staff()).get(f"/organizations/{org.pk}/availability", month="2026-13")
    assert answer.status_code == 422 and "month" in answer.json()["fields"]


def test_recording_and_ending_an_outage(ops, org):
    issue = make_issue(org)
    started = (timezone.now() - timedelta(hours=1)).isoformat()
    created = ops.post("/outages", {"title": "Sync stalled", "started_at": started, "source": "customer_reported",
                                    "organization_ids": [org.pk], "issue_keys": [issue.key]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["ended_at"] is None and body["issues"] == [issue.key] and body["organizations"][0]["id"] == org.pk
    ended = ops.patch(f"/outages/{body['id']}", {"ended_at": timezone.now().isoformat()})
    assert ended.status_code == 200 and ended.json()["ended_at"] is not None
    assert issue.events.filter(kind="outage_recorded").count() == 2
    widened = ops.patch(f"/outages/{body['id']}", {"is_global": True, "organization_ids": []})
    assert widened.json()["is_global"] and widened.json()["organizations"] == []


def test_bad_outages_name_their_fields_and_store_nothing(ops, org):
    started = (timezone.now() - timedelta(hours=1)).isoformat()
    for body, field in [
        ({"title": "x", "started_at": started}, "scope"),
        ({"title": "x", "started_at": started, "organization_ids": [999999]}, "organization_ids"),
        ({"title": "x", "started_at": started, "is_global": True, "issue_keys": ["TL-999999"]}, "issue_keys"),
        ({"title": "x", "started_at": "2026-11-02T10:00:00", "is_global": True}, "started_at"),  # no time zone
        ({"title": "x", "started_at": started, "ended_at": started, "is_global": True}, "ended_at"),
    ]:
        answer = ops.post("/outages", body)
        assert answer.status_code == 422 and field in answer.json()["fields"], (body, answer.content)
    assert not Outage.objects.exists()
    outage = make_outage(organizations=[org])
    answer = ops.patch(f"/outages/{outage.pk}", {"started_at": None})
    assert answer.status_code == 422 and "started_at" in answer.json()["fields"]


def test_outages_list_newest_first_by_pages_in_a_fixed_number_of_queries(api_as, org,
                                                                          django_assert_max_num_queries):
    for hours in range(1, 8):
        make_outage(ago=timedelta(hours=hours), organizations=[org], issues=[make_issue(org)])
    make_outage(ago=timedelta(minutes=30), is_global=True)
    staff = api_as(make_staff())
    with django_assert_max_num_queries(8):
        first = staff.get("/outages", limit=5).json()
    assert len(first["items"]) == 5
    starts = [o["started_at"] for o in first["items"]]
    assert starts == sorted(starts, reverse=True)
    rest = staff.get("/outages", limit=5, cursor=first["next_cursor"]).json()
    assert len(rest["items"]) == 3 and rest["next_cursor"] is None
    assert len(staff.get("/outages", organization_id=org.pk).json()["items"]) == 7


def test_objectives_by_admins(api_as, org):
    admin = api_as(make_staff("admin"))
    assert admin.put("/availability/objectives", {"plan": "enterprise", "target": 99.99}).status_code == 200
    override = admin.put("/availability/objectives", {"organization_id": org.pk, "target": "99.95"}).json()
    listed = admin.get("/availability/objectives").json()
    assert {(o["plan"], o["organization_id"], o["target"]) for o in listed["objectives"]} == {
        ("enterprise", None, "99.99"), ("", org.pk, "99.95")}
    assert listed["plan_defaults"]["business"] == "99.9"
    answer = admin.get(f"/organizations/{org.pk}/availability").json()
    assert answer["objective"] == "99.95" and answer["objective_from"] == "customer"
    assert admin.delete(f"/availability/objectives/{override['id']}").status_code == 204
    answer = admin.get(f"/organizations/{org.pk}/availability").json()
    assert answer["objective_from"] == f"plan {org.plan} (default)"
    refused = admin.put("/availability/objectives", {"plan": "team", "target": "100"})
    assert refused.status_code == 422 and "target" in refused.json()["fields"]
