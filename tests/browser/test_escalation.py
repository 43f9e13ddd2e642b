"""The escalation flow from the issue: a tier 1 agent sees the issue's SLA badge in the queue, is
told what is missing, completes the questionnaire, escalates; an engineer finds the issue in the
engineering queue."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_component, make_issue, make_org, make_staff, make_team
from tierline.escalation.actions import do_set_questionnaire
from tierline.escalation.sla import do_create_sla_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCHEMA = {
    "type": "object", "required": ["runtime", "cloud"],
    "properties": {"runtime": {"type": "string", "title": "Runtime and version"},
                   "cloud": {"type": "string", "title": "Cloud", "enum": ["aws", "gcp", "azure"]}},
}


def test_tier_one_escalates_after_completing_the_questionnaire(page, browser, live_server):
    component = make_component("Sync engine", owner_team=make_team("Front line", tier=1))
    do_set_questionnaire(component, SCHEMA)
    do_create_sla_policy(name="Standard", first_response_minutes=240, next_response_minutes=240,
                         resolution_minutes=2400)
    make_team("Engineering", tier=4)
    issue = make_issue(make_org(name="Acme", importance="strategic"), title="Sync drops files",
                       component=component)
    agent = make_staff("support_t1", email="alice@tierline.example", name="Alice")
    engineer = make_staff("engineer_t4", email="hana@tierline.example", name="Hana")

    log_in(page, agent.email)
    page.goto("/desk/")
    row = page.get_by_role("row").filter(has_text=issue.key)
    expect(row.locator(".badge.sla-ok")).to_contain_text("left")
    page.goto(f"/desk/issues/{issue.key}/")
    expect(page.get_by_role("list", name="SLA")).to_contain_text("First response: ok")
    page.get_by_label("To tier").select_option("4")
    page.get_by_label("Hand-off note").fill("Customer loses files on every sync")
    page.get_by_role("button", name="Escalate", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Escalating to tier 4 (Engineering) needs")
    expect(alert).to_contain_text("runtime (required)")
    expect(page.locator("#q-runtime-error")).to_have_text("required")

    page.get_by_label("Runtime and version (required)").fill("Python 3.12")
    page.get_by_label("Cloud (required)").select_option("aws")
    page.get_by_label("Reproduction steps").fill("1. Upload 2 files\n2. Sync\n3. One is gone")
    page.get_by_role("button", name="Record answers").click()
    expect(page.get_by_label("Runtime and version (required)")).to_have_value("Python 3.12")

    page.get_by_label("To tier").select_option("4")
    page.get_by_label("Hand-off note").fill("Repro steps and environment are in")
    page.get_by_role("button", name="Escalate", exact=True).click()
    timeline = page.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text("escalated from tier 1 (Support) to tier 4 (Engineering)")
    expect(timeline).to_contain_text("Repro steps and environment are in")

    other = browser.new_context(base_url=live_server.url).new_page()
    log_in(other, engineer.email)
    other.get_by_role("link", name="Engineering").click()
    expect(other.get_by_role("heading", name="Engineering queue")).to_be_visible()
    expect(other.locator("table.engineering")).to_contain_text("Sync drops files")
    other.get_by_role("link", name=issue.key).click()
    expect(other.get_by_role("heading", level=1)).to_contain_text("Sync drops files")
    other.context.close()
