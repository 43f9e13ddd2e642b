"""The panel's forms work as plain HTML posts: a probe is added through the same action as the API,
a bad expression comes back beside its field with what was typed, one click extends or removes."""

import pytest
from django.urls import reverse

from tests.factories import make_issue, make_org, make_staff
from tests.probes.helpers import make_agent_token, make_instance, make_probe
from tierline.probes.models import AgentInstance, Probe

pytestmark = pytest.mark.django_db

FORM = {"service": "portal", "kind": "log", "location": "portal/auth.py:44", "condition": "len(token) > 8000",
        "template": "token length {len(token)}", "ttl_seconds": "3600", "reason": "Tyrell users loop at sign-in",
        "metric_type": "count", "value": "ignored for a log probe"}


@pytest.fixture
def issue():
    issue = make_issue(make_org(name="Tyrell Biotech"))
    make_instance(make_agent_token("portal")[0])
    return issue


@pytest.fixture
def engineer(client):
    user = make_staff("engineer_t4")
    client.force_login(user)
    return user


def add(client, issue, **changes):
    return client.post(reverse("probes-add", kwargs={"key": issue.key}), {**FORM, **changes})


def test_a_good_probe_is_added_for_this_customer_only(client, issue, engineer):
    response = add(client, issue)
    assert response.status_code == 302
    assert response["Location"] == reverse("desk-issue", kwargs={"key": issue.key}) + "#investigate"
    probe = Probe.objects.get(issue=issue)
    assert (probe.kind, probe.location, probe.condition, probe.template) == (
        "log", "portal/auth.py:44", "len(token) > 8000", "token length {len(token)}")
    assert probe.value == "" and probe.organization == issue.organization and not probe.all_customers
    assert probe.created_by == engineer and probe.reason == "Tyrell users loop at sign-in"
    assert issue.events.filter(kind="probe_added").exists()


def test_all_customers_is_an_explicit_checkbox(client, issue, engineer):
    add(client, issue, all_customers="1")
    probe = Probe.objects.get(issue=issue)
    assert probe.all_customers and probe.organization is None


def test_a_probe_can_be_narrowed_to_chosen_instances_and_tags(client, issue, engineer):
    instance = AgentInstance.objects.get()
    page = client.get(reverse("desk-issue", kwargs={"key": issue.key})).content.decode()
    assert f'<option value="{instance.instance_id}"' in page  # the registered instances to choose from
    add(client, issue, instance_ids=[instance.instance_id], tags="deployment = tyrell-eu, region=eu")
    probe = Probe.objects.get(issue=issue)
    assert probe.instance_ids == [instance.instance_id] and probe.tags == {"deployment": "tyrell-eu", "region": "eu"}
    page = client.get(reverse("desk-issue", kwargs={"key": issue.key})).content.decode()
    targets = page[page.index('class="probe-targets"'):][:300]
    assert "instances tagged" in targets and "deployment=tyrell-eu" in targets and "region=eu" in targets


def test_tags_that_are_not_name_value_pairs_come_back_beside_their_field(client, issue, engineer):
    response = add(client, issue, tags="deployment")
    html = response.content.decode()
    assert response.status_code == 422 and not Probe.objects.exists()
    assert "name=value pairs" in html[html.index('id="probe-tags-error"'):][:200]
    assert 'value="deployment"' in html


def test_a_bad_condition_comes_back_beside_its_field_with_what_was_typed(client, issue, engineer):
    response = add(client, issue, condition="token.__class__")
    html = response.content.decode()
    assert response.status_code == 422 and not Probe.objects.exists()
    error = html[html.index('id="probe-condition-error"'):][:300]
    assert "dunder" in error and "column" in error
    assert 'value="token.__class__"' in html and "Tyrell users loop at sign-in</textarea>" in html
    assert 'aria-describedby="probe-condition-hint probe-condition-error"' in html


def test_a_missing_reason_and_a_bad_number_are_named(client, issue, engineer):
    html = add(client, issue, reason="", max_hits="lots").content.decode()
    assert 'id="probe-max_hits-error"' in html and "whole number" in html
    html = add(client, issue, reason="").content.decode()
    assert 'id="probe-reason-error"' in html
    assert not Probe.objects.exists()


def test_one_click_extends_a_probe_by_an_hour_and_one_removes_it(client, issue, engineer):
    probe = make_probe(issue)
    before = probe.expires_at
    url = reverse("probes-extend", kwargs={"key": issue.key, "probe_id": probe.public_id})
    assert client.post(url).status_code == 302
    probe.refresh_from_db()
    assert 3590 <= (probe.expires_at - before).total_seconds() <= 3610 and probe.version == 2
    assert client.post(reverse("probes-remove", kwargs={"key": issue.key, "probe_id": probe.public_id})
                       ).status_code == 302
    probe.refresh_from_db()
    assert probe.removed_at is not None
    assert issue.events.filter(kind="probe_removed").exists()


def test_a_probe_of_another_issue_is_not_found(client, issue, engineer):
    other = make_probe(make_issue(issue.organization))
    url = reverse("probes-remove", kwargs={"key": issue.key, "probe_id": other.public_id})
    assert client.post(url).status_code == 404
    assert client.post(reverse("probes-remove", kwargs={"key": issue.key, "probe_id": "p-999999"})).status_code == 404
    other.refresh_from_db()
    assert other.removed_at is None


@pytest.mark.parametrize("role", ["support_t1", "support_t2", "operations_t3"])
def test_other_staff_may_not_add_extend_or_remove(client, issue, role):
    client.force_login(make_staff(role))
    probe = make_probe(issue)
    assert add(client, issue).status_code == 403
    assert client.post(reverse("probes-remove", kwargs={"key": issue.key, "probe_id": probe.public_id})
                       ).status_code == 403
    assert Probe.objects.filter(removed_at=None).count() == 1
