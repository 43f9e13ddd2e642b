"""`tierline probe` and `tierline agent-token`: the same actions as the API, acting as `--as`."""

import pytest

from tests.factories import make_issue, make_org, make_staff
from tests.probes.helpers import AgentClient
from tierline.audit.models import AuditEntry
from tierline.cli import main
from tierline.probes.models import AgentToken, Probe

pytestmark = pytest.mark.django_db


def test_agent_tokens_from_the_shell(capsys):
    assert main(["agent-token", "create", "--service", "portal", "--name", "prod"]) == 0
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("tla_") and AgentClient(secret).register().status_code == 200
    assert main(["agent-token", "list"]) == 0
    assert "portal" in capsys.readouterr().out
    token = AgentToken.objects.get()
    assert main(["agent-token", "revoke", str(token.pk)]) == 0
    assert AgentClient(secret).register().status_code == 401
    assert main(["agent-token", "create", "--service", "bad name"]) == 2


def test_add_list_hits_and_remove_a_probe(capsys):
    issue = make_issue(make_org(name="Acme Robotics"))
    make_staff("engineer_t4", email="erin@tierline.example")
    make_staff("support_t1", email="sam@tierline.example")
    add = ["probe", "add", issue.key, "--service", "portal", "--at", "app/auth.py:88", "--log",
           "token length {len(token)}", "--when", "len(token) > 8000", "--reason", "431 errors", "--ttl", "600"]
    assert main([*add, "--as", "sam@tierline.example"]) == 2  # support may not
    assert "probe.manage" in capsys.readouterr().err
    assert main([*add, "--as", "erin@tierline.example"]) == 0
    assert "organization Acme Robotics" in capsys.readouterr().out
    probe = Probe.objects.get()
    assert probe.created_by.email == "erin@tierline.example" and probe.condition == "len(token) > 8000"
    assert AuditEntry.objects.get(action="probe.created").actor_email == "erin@tierline.example"

    bad = ["probe", "add", issue.key, "--service", "portal", "--at", "app/auth.py:88", "--log", "{x.__dict__}",
           "--reason", "r", "--as", "erin@tierline.example"]
    assert main(bad) == 2 and "template" in capsys.readouterr().err

    assert main(["probe", "list", issue.key]) == 0
    assert probe.public_id in capsys.readouterr().out
    assert main(["probe", "change", probe.public_id, "--max-hits", "5", "--reason", "fewer",
                 "--as", "erin@tierline.example"]) == 0
    assert Probe.objects.get().max_hits == 5
    assert main(["probe", "hits", issue.key]) == 0
    assert main(["probe", "remove", probe.public_id, "--reason", "found it", "--as", "erin@tierline.example"]) == 0
    assert Probe.objects.get().removed_at is not None
