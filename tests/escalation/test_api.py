"""The escalation API: refusals that say what is missing, questionnaires, SLA state, problems,
team tasks and the engineering queue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_component, make_issue, make_org, make_staff, make_team
from tierline.escalation.actions import do_set_questionnaire
from tierline.escalation.sla import do_create_sla_policy

pytestmark = pytest.mark.django_db
SCHEMA = {"type": "object", "required": ["runtime", "cloud"],
          "properties": {"runtime": {"type": "string"}, "cloud": {"type": "string", "enum": ["aws", "gcp"]}}}


def test_escalation_into_engineering_says_what_is_missing_then_succeeds(api_as):
    component = make_component("API gateway")
    do_set_questionnaire(component, SCHEMA)
    issue = make_issue(make_org(), component=component)
    api = api_as(make_staff("support_t1"))
    refused = api.post(f"/issues/{issue.key}/escalate", {"note": "Engineering please", "to_tier": 4})
    assert refused.status_code == 422
    assert set(refused.json()["fields"]) == {"reproduction_steps", "questionnaire.runtime", "questionnaire.cloud"}
    bad = api.post(f"/issues/{issue.key}/questionnaire", {"answers": {"runtime": "Go 1.22", "cloud": "moon"}})
    assert bad.status_code == 422 and list(bad.json()["fields"]) == ["questionnaire.cloud"]
    state = api.post(f"/issues/{issue.key}/questionnaire",
                     {"answers": {"runtime": "Go 1.22", "cloud": "aws"}, "reproduction_steps": "1. call /v2"}).json()
    assert state["missing_for_engineering"] == {} and state["json_schema"]["required"] == ["runtime", "cloud"]
    done = api.post(f"/issues/{issue.key}/escalate", {"note": "Repro attached", "to_tier": 4})
    assert done.status_code == 200 and done.json()["tier"] == 4
    back = api.post(f"/issues/{issue.key}/de-escalate", {"note": "Workaround given", "to_tier": 2})
    assert back.json()["tier"] == 2


def test_sla_state_and_breaching_soon(api_as):
    do_create_sla_policy(name="Fast", first_response_minutes=30, next_response_minutes=60, resolution_minutes=600)
    issue = make_issue(make_org(), at=timezone.now() - timedelta(minutes=25))
    api = api_as(make_staff())
    clocks = api.get(f"/issues/{issue.key}/sla").json()
    assert [c["kind"] for c in clocks] == ["first_response", "resolution"]
    assert clocks[0]["state"] == "warning" and 0 < clocks[0]["time_left_seconds"] <= 300
    soon = api.get("/sla/breaching-soon", within_minutes=10).json()
    assert [(s["issue"]["key"], s["clock"]["kind"]) for s in soon] == [(issue.key, "first_response")]


def test_team_tasks_problems_and_the_engineering_queue(api_as):
    db_team, web = make_team("Database", tier=4), make_team("Web", tier=4)
    strategic, small = make_org(importance="strategic"), make_org(importance="standard")
    engineer = make_staff("engineer_t4", name="Eve")
    api = api_as(engineer)
    first, second = make_issue(strategic, severity=1), make_issue(small, severity=3)
    lone = make_issue(small, severity=4, tier=4)
    task = api.post(f"/issues/{first.key}/team-tasks", {"team_id": db_team.pk, "title": "Check replication",
                                                        "owner_id": engineer.pk}).json()
    api.post(f"/issues/{first.key}/team-tasks", {"team_id": web.pk, "title": "Banner", "status": "in_progress"})
    assert task["owner"]["name"] == "Eve"
    assert [t["team"]["name"] for t in api.get(f"/issues/{first.key}/team-tasks").json()] == ["Database", "Web"]

    problem = api.post("/problems", {"title": "Replica lag", "team_id": db_team.pk}).json()
    for issue in (first, second):
        linked = api.post(f"/problems/{problem['id']}/issues", {"issue_key": issue.key})
    assert [i["key"] for i in linked.json()["issues"]] == [first.key, second.key]
    assert linked.json()["impact"] == 8 * 3 + 2 * 1
    assert api.post(f"/problems/{problem['id']}/issues", {"issue_key": first.key}).status_code == 422
    api.patch(f"/problems/{problem['id']}", {"status": "fix_in_progress", "fix_version": "4.2.2"})
    queue = api.get("/engineering/queue").json()
    assert [(e["kind"], e["impact"]) for e in queue] == [("problem", 26), ("issue", 1)]
    assert queue[1]["issue"]["key"] == lone.key
    unlinked = api.post(f"/problems/{problem['id']}/issues", {"issue_key": second.key, "unlink": True}).json()
    assert [i["key"] for i in unlinked["issues"]] == [first.key]
    assert "problem_unlinked" in second.events.values_list("kind", flat=True)
