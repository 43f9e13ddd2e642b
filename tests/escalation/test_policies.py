"""Warnings and breaches from the sweep; escalation policy steps run exactly once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection

from tests.factories import make_contact, make_issue, make_org, make_staff, make_team
from tierline.escalation.models import EscalationRun, SlaClock
from tierline.escalation.policies import do_check_sla_clock, list_due_clock_ids, sweep_sla_clocks
from tierline.escalation.sla import do_create_escalation_policy, do_create_sla_policy, do_set_team_on_call
from tierline.issues.actions import do_add_comment

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def setup(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ONCALL_EMAIL = "oncall@tierline.example"
    do_create_sla_policy(name="Around the clock", first_response_minutes=60, next_response_minutes=60,
                         resolution_minutes=600)
    do_create_escalation_policy(name="Warn", trigger="warning", actions=["notify_assignee"])
    do_create_escalation_policy(name="Breach", trigger="breach", clock_kind="first_response",
                                actions=["notify_team_lead", "raise_tier", "page_on_call"])
    team = make_team("Support desk")
    do_set_team_on_call(team, lead=make_staff(email="lead@tierline.example"))
    return make_issue(make_org(), team=team, assignee=make_staff(email="ann@tierline.example"), at=T0)


def kinds(issue):
    return list(issue.events.values_list("kind", flat=True))


def test_warning_then_breach_run_each_step_once(setup, django_capture_on_commit_callbacks):
    issue = setup
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_sla_clocks(T0 + timedelta(minutes=30)) == []
        sweep_sla_clocks(T0 + timedelta(minutes=46))
    assert [m.to for m in mail.outbox] == [["ann@tierline.example"]]
    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla_clocks(T0 + timedelta(minutes=61))
        sweep_sla_clocks(T0 + timedelta(minutes=62))  # nothing left to do
    assert [m.to for m in mail.outbox][1:] == [["lead@tierline.example"], ["oncall@tierline.example"]]
    issue.refresh_from_db()
    assert issue.tier == 2
    assert kinds(issue).count("sla_warning") == 1 and kinds(issue).count("sla_breached") == 1
    assert kinds(issue).count("escalation_step") == 4
    assert EscalationRun.objects.filter(done_at__isnull=False).count() == 4


def test_the_sweep_reads_only_due_clocks(setup):
    make_issue(make_org(), at=T0 + timedelta(hours=5))
    assert len(list_due_clock_ids(T0 + timedelta(minutes=46))) == 1
    assert SlaClock.objects.filter(next_check_at__isnull=False).count() == 4


def test_a_second_check_of_the_same_clock_does_nothing(setup, django_capture_on_commit_callbacks):
    clock = SlaClock.objects.get(issue=setup, kind="first_response")
    with django_capture_on_commit_callbacks(execute=True):
        first = do_check_sla_clock(clock.pk, T0 + timedelta(minutes=61))
        again = do_check_sla_clock(clock.pk, T0 + timedelta(minutes=61))
    # The warning and the breach were both due: 1 + 3 steps, then nothing.
    assert len(first) == 4 and again == []
    assert EscalationRun.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_run_each_step_once(setup):
    if connection.vendor == "sqlite":
        pytest.skip("one writer at a time on SQLite; the PostgreSQL run covers concurrent sweeps")
    barrier = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            barrier.wait()
            sweep_sla_clocks(T0 + timedelta(minutes=61))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert EscalationRun.objects.count() == 4
    assert setup.events.filter(kind="sla_breached").count() == 1


def test_a_restarted_next_response_round_runs_its_steps_again(setup, django_capture_on_commit_callbacks):
    issue, agent = setup, make_staff()
    contact = make_contact(issue.organization)
    do_add_comment(issue, body="On it", is_public=True, author=agent, at=T0 + timedelta(minutes=5))
    do_add_comment(issue, body="Still broken", is_public=True, author_contact=contact, at=T0 + timedelta(hours=1))
    do_add_comment(issue, body="Patch sent", is_public=True, author=agent, at=T0 + timedelta(hours=1, minutes=50))
    do_add_comment(issue, body="Broken again", is_public=True, author_contact=contact, at=T0 + timedelta(hours=2))
    clock = SlaClock.objects.get(issue=issue, kind="next_response")
    assert clock.round == 2 and clock.warned_at is None
    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla_clocks(T0 + timedelta(hours=2, minutes=50))
    assert EscalationRun.objects.filter(clock=clock, round=2).count() == 1


def test_paging_posts_to_the_on_call_webhook(settings, django_capture_on_commit_callbacks):
    import json
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        settings.ONCALL_WEBHOOK_URL = f"http://127.0.0.1:{server.server_port}/page"
        do_create_sla_policy(name="Any", first_response_minutes=10, next_response_minutes=10,
                             resolution_minutes=100)
        do_create_escalation_policy(name="Page", trigger="breach", actions=["page_on_call"])
        issue = make_issue(make_org(), at=T0)
        with django_capture_on_commit_callbacks(execute=True):
            sweep_sla_clocks(T0 + timedelta(minutes=11))
    finally:
        server.shutdown()
    assert [r["issue"] for r in received] == [issue.key]
    step = issue.events.get(kind="escalation_step")
    assert step.data["outcome"] == "webhook 204"


def test_a_restarted_worker_runs_no_step_twice(setup, django_capture_on_commit_callbacks):
    from tierline.escalation.policies import do_run_escalation_steps

    # The sweep commits its runs, then the worker dies before running them (no on-commit task).
    runs = sweep_sla_clocks(T0 + timedelta(minutes=61))
    assert len(runs) == 4 and mail.outbox == []
    assert sweep_sla_clocks(T0 + timedelta(minutes=62)) == []  # the restarted sweep finds nothing new
    assert [r.pk for r in do_run_escalation_steps(runs)] == runs
    assert do_run_escalation_steps(runs) == []  # the retried task: every step is done already
    assert len(mail.outbox) == 3  # team lead, on-call (the assignee's warning step came with it)
    assert setup.events.filter(kind="escalation_step").count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_steps_run_each_once(setup, monkeypatch):
    if connection.vendor == "sqlite":
        pytest.skip("one writer at a time on SQLite; the PostgreSQL run covers concurrent workers")
    from tierline.escalation import tasks
    from tierline.escalation.policies import do_run_escalation_steps

    monkeypatch.setattr(tasks, "run_escalation_steps", lambda run_ids: None)  # both workers get the task
    runs = sweep_sla_clocks(T0 + timedelta(minutes=61))
    barrier, done, errors = threading.Barrier(2), [], []

    def work():
        try:
            barrier.wait()
            done.extend(r.pk for r in do_run_escalation_steps(runs))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(done) == sorted(runs)
    assert setup.events.filter(kind="escalation_step").count() == 4
    assert len(mail.outbox) == 3
