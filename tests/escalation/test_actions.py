"""Hand-offs up and down the ladder, the engineering gate, questionnaires pre-filled."""

import pytest

from tests.factories import make_component, make_issue, make_org, make_staff, make_team
from tierline.customers.actions import do_update_environment
from tierline.errors import InvalidInput
from tierline.escalation.actions import (
    do_answer_questionnaire,
    do_de_escalate_issue,
    do_escalate_issue,
    do_set_questionnaire,
    prefilled_answers,
)
from tierline.issues.actions import Upload, do_add_comment

pytestmark = pytest.mark.django_db
SCHEMA = {
    "type": "object",
    "properties": {
        "runtime": {"type": "string", "title": "Runtime and version"},
        "os": {"type": "string", "title": "Operating system"},
        "cloud": {"type": "string", "enum": ["aws", "gcp", "azure", "on-premises"]},
        "product_version": {"type": "string", "pattern": "^[0-9]+\\.[0-9]+"},
    },
    "required": ["runtime", "os", "cloud", "product_version"],
}


@pytest.fixture
def component():
    component = make_component("Sync engine", owner_team=make_team("Support", tier=1))
    do_set_questionnaire(component, SCHEMA)
    return component


def test_escalate_and_de_escalate_record_the_hand_off():
    agent, ops = make_staff(name="Alice"), make_team("Operations", tier=3)
    issue = make_issue(make_org())
    issue = do_escalate_issue(issue, actor=agent, note="Needs a billing look", to_tier=2)
    issue = do_de_escalate_issue(issue, actor=agent, note="Back to the front line", team=ops)
    events = list(issue.events.filter(kind__in=["escalated", "de_escalated"]))
    assert [(e.kind, e.data["from"], e.data["to"], e.data["note"]) for e in events] == [
        ("escalated", 1, 2, "Needs a billing look"), ("de_escalated", 2, 1, "Back to the front line")]
    assert events[1].data["to_team"]["name"] == "Operations" and events[0].actor == agent
    assert events[0].data["to_name"] == "Support"


@pytest.mark.parametrize("call,fields", [
    (lambda i, a: do_escalate_issue(i, actor=a, note=" "), {"note": "required"}),
    (lambda i, a: do_escalate_issue(i, actor=a, note="x", to_tier=1), {"to_tier": "between 2 and 5"}),
    (lambda i, a: do_de_escalate_issue(i, actor=a, note="x"), {"to_tier": "between 1 and 0"}),
])
def test_hand_offs_refuse_bad_input(call, fields):
    with pytest.raises(InvalidInput) as error:
        call(make_issue(), make_staff())
    assert error.value.fields == fields


def test_engineering_needs_evidence_and_the_questionnaire(component):
    agent = make_staff()
    issue = make_issue(make_org(), component=component)
    with pytest.raises(InvalidInput) as error:
        do_escalate_issue(issue, actor=agent, note="Engineering please", to_tier=3)
    assert error.value.fields == {
        "reproduction_steps": "reproduction steps or an attachment as evidence",
        "questionnaire.cloud": "required", "questionnaire.os": "required",
        "questionnaire.product_version": "required", "questionnaire.runtime": "required",
    }
    assert "runtime (required)" in error.value.detail
    with pytest.raises(InvalidInput) as error:
        do_answer_questionnaire(issue, actor=agent, answers={"runtime": "Python 3.12", "os": "Debian 12",
                                                             "cloud": "mars", "product_version": "x"})
    assert set(error.value.fields) == {"questionnaire.cloud", "questionnaire.product_version"}
    do_answer_questionnaire(issue, actor=agent, answers={"runtime": "Python 3.12", "os": "Debian 12",
                                                         "cloud": "aws", "product_version": "4.2.1"})
    do_add_comment(issue, body="Log attached", is_public=False, author=agent,
                   attachments=[Upload("trace.txt", "text/plain", b"Traceback ...")])
    issue = do_escalate_issue(issue, actor=agent, note="Repro in trace.txt", to_tier=3)
    assert issue.tier == 3


def test_questionnaire_is_prefilled_from_the_known_environment(component):
    org = make_org()
    do_update_environment(org, {"cloud": "gcp", "runtime": "Node 20", "billing_id": "x"}, source="agent")
    issue = make_issue(org, component=component)
    assert prefilled_answers(issue, component.questionnaire) == {"cloud": "gcp", "runtime": "Node 20"}
    do_answer_questionnaire(issue, actor=make_staff(), answers={"cloud": "gcp", "runtime": "Node 20",
                                                                "os": "Alpine", "product_version": "5.0"})
    org.refresh_from_db()
    later = make_issue(org, component=component)
    assert prefilled_answers(later, component.questionnaire)["product_version"] == "5.0"


def test_a_questionnaire_must_be_a_valid_schema(component):
    with pytest.raises(InvalidInput):
        do_set_questionnaire(component, {"type": "object", "properties": {"x": {"type": "nope"}}})
