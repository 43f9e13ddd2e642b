"""The worker drains: one task processes every payload pending for an integration, oldest first,
as one batch; the result is what processing them one by one gives, and a payload that fails is
quarantined alone."""

import json

import pytest

from tierline.intake import alert_intake
from tierline.intake.actions import do_create_integration, do_process_message, do_receive_message
from tierline.intake.models import AlertGroup, InboundKind, InboundMessage
from tierline.intake.tasks import process_inbound_message
from tierline.issues.models import Issue, IssueEvent

pytestmark = pytest.mark.django_db


def payload(*alerts) -> bytes:
    return json.dumps({"version": "4", "status": "firing", "alerts": [
        {"status": state, "fingerprint": fingerprint, "startsAt": starts,
         "labels": {"alertname": f"Alert {fingerprint}", "severity": severity},
         "annotations": {"summary": f"{fingerprint} is down"}}
        for fingerprint, state, starts, severity in alerts]}).encode()


# Opening, repeating, resolving, reopening, a level change, a resolve of nothing, flapping, and a
# new fingerprint resolved before it first fires (its issue is opened by the firing alert).
PAYLOADS = [
    payload(("a", "firing", "10:00", "warning"), ("b", "firing", "10:00", "warning")),
    payload(("a", "firing", "10:00", "warning"), ("c", "resolved", "10:00", "warning")),
    payload(("a", "resolved", "10:00", "warning"), ("b", "firing", "10:00", "critical")),
    payload(("a", "firing", "11:00", "warning"), ("a", "resolved", "11:00", "warning")),
    payload(("b", "resolved", "10:00", "critical"), ("a", "firing", "12:00", "warning")),
    payload(("a", "resolved", "12:00", "warning"), ("a", "firing", "13:00", "warning")),
    payload(("a", "resolved", "13:00", "warning"), ("d", "firing", "13:00", "info")),
    payload(("e", "resolved", "09:00", "error"), ("e", "firing", "09:00", "error"), ("d", "resolved", "13:00", "info"),
            ("e", "firing", "09:00", "error"), ("f", "firing", "14:00", "critical")),
]


def receive(integration, raw: bytes) -> InboundMessage:
    return do_receive_message(kind=InboundKind.ALERT, source=integration.slug, raw=raw, integration=integration)


def outcome(integration) -> dict:
    """What the integration's payloads made: per fingerprint the group, its issue and its timeline;
    per payload its outcome and the issue it names."""
    found = {"payloads": [(m.status, m.reason, m.subject, m.issue.title if m.issue_id else None) for m in
                          InboundMessage.objects.filter(integration=integration).order_by("id")]}
    for group in AlertGroup.objects.filter(integration=integration).select_related("issue"):
        issue = group.issue
        events = [(e.kind, {k: v for k, v in e.data.items() if k != "integration"})
                  for e in IssueEvent.objects.filter(issue=issue).order_by("created_at", "id")]
        found[group.fingerprint] = (
            (group.state, group.fired_count, group.received_count, group.is_flapping, len(group.recent_changes)),
            (issue.title, issue.status, issue.severity, issue.alert_level, issue.priority), events,
        )
    return found


def test_a_drained_batch_makes_the_same_issues_and_timelines_as_one_by_one(django_capture_on_commit_callbacks):
    one_by_one = do_create_integration(slug="one-by-one", source="alertmanager")
    drained = do_create_integration(slug="drained", source="alertmanager")
    for raw in PAYLOADS:
        with django_capture_on_commit_callbacks(execute=True):
            receive(one_by_one, raw)
    messages = [receive(drained, raw) for raw in PAYLOADS]  # the worker is stopped meanwhile
    assert Issue.objects.count() == 5
    first = do_process_message(messages[0])
    assert first.status == "processed"
    assert set(InboundMessage.objects.filter(integration=drained).values_list("status", flat=True)) == {"processed"}
    assert outcome(drained) == outcome(one_by_one)
    assert Issue.objects.count() == 10


def test_a_later_task_for_a_payload_already_drained_returns_at_once(django_assert_num_queries):
    integration = do_create_integration(slug="prom", source="alertmanager")
    messages = [receive(integration, raw) for raw in PAYLOADS[:3]]
    process_inbound_message.call_local(messages[0].pk)
    with django_assert_num_queries(1):
        process_inbound_message.call_local(messages[2].pk)
    assert InboundMessage.objects.get(pk=messages[2].pk).attempts == 1


def test_the_drain_takes_the_oldest_first_batch_by_batch(monkeypatch):
    monkeypatch.setattr("tierline.intake.actions.DRAIN_PAYLOADS", 2)
    integration = do_create_integration(slug="prom", source="alertmanager")
    messages = [receive(integration, raw) for raw in PAYLOADS]
    do_process_message(messages[4])  # drains until this one is done: five in three batches
    statuses = list(InboundMessage.objects.filter(integration=integration).order_by("id")
                    .values_list("status", flat=True))
    assert statuses == ["processed"] * 6 + ["pending"] * 2


def test_an_unreadable_payload_in_a_batch_is_quarantined_alone():
    integration = do_create_integration(slug="prom", source="alertmanager")
    good, bad, other = (receive(integration, raw)
                        for raw in (PAYLOADS[0], b'{"hello": "world"}', PAYLOADS[1]))
    do_process_message(good)
    by_id = {m.pk: m for m in InboundMessage.objects.filter(integration=integration)}
    assert (by_id[good.pk].status, by_id[other.pk].status) == ("processed", "processed")
    assert by_id[bad.pk].status == "quarantined" and "alerts" in by_id[bad.pk].reason
    assert AlertGroup.objects.get(fingerprint="a").received_count == 2


def test_a_payload_that_fails_while_processed_is_quarantined_alone(monkeypatch):
    integration = do_create_integration(slug="prom", source="alertmanager")
    poisoned = payload(("poison", "firing", "10:00", "warning"))
    messages = [receive(integration, raw) for raw in (PAYLOADS[0], poisoned, PAYLOADS[1], PAYLOADS[2])]
    apply = alert_intake.AlertBatch.apply

    def apply_failing_on_poison(self, alert):
        if alert.fingerprint == "poison":
            raise RuntimeError("the database said no")
        return apply(self, alert)

    monkeypatch.setattr(alert_intake.AlertBatch, "apply", apply_failing_on_poison)
    first = do_process_message(messages[0])
    assert first.status == "processed" and first.attempts == 1
    by_id = {m.pk: m for m in InboundMessage.objects.filter(integration=integration)}
    assert [by_id[m.pk].status for m in messages] == ["processed", "quarantined", "processed", "processed"]
    assert by_id[messages[1].pk].reason == "RuntimeError: the database said no"
    assert all(by_id[m.pk].attempts == 1 for m in messages)
    assert set(AlertGroup.objects.values_list("fingerprint", flat=True)) == {"a", "b"}
    assert not Issue.objects.filter(title__startswith="poison").exists()


def test_new_groups_are_opened_by_their_first_firing_alert_and_nothing_before_it_counts():
    integration = do_create_integration(slug="prom", source="alertmanager")
    resolved_only = receive(integration, payload(("e", "resolved", "09:00", "error")))
    messages = [resolved_only, receive(integration, PAYLOADS[-1])]
    do_process_message(messages[0])
    resolved_only.refresh_from_db()
    assert resolved_only.status == "processed" and resolved_only.issue_id is None
    e, f = AlertGroup.objects.select_related("issue").order_by("fingerprint")
    assert (e.state, e.fired_count, e.received_count, len(e.recent_changes)) == ("firing", 1, 2, 1)
    assert (e.issue.status, e.issue.severity, e.issue.alert_level) == ("new", 2, "error")
    assert (f.fired_count, f.received_count, f.issue.severity) == (1, 1, 1)
    assert [e.kind for e in IssueEvent.objects.filter(issue=e.issue).order_by("id")] == ["created", "alert_fired"]
    assert e.issue_id < f.issue_id  # opened in the order they first fired
    assert InboundMessage.objects.get(pk=messages[1].pk).issue_id == e.issue_id


def test_the_same_payload_twice_in_one_batch_creates_nothing_more():
    integration = do_create_integration(slug="prom", source="alertmanager")
    first, again = receive(integration, PAYLOADS[0]), receive(integration, PAYLOADS[0])
    do_process_message(first)
    again.refresh_from_db()
    assert again.status == "ignored" and again.reason == f"replay of payload {first.pk}"
    assert Issue.objects.count() == 2
    assert AlertGroup.objects.get(fingerprint="a").received_count == 1
    # And once more, later, in a batch of its own.
    third = receive(integration, PAYLOADS[0])
    do_process_message(third)
    assert third.status == "ignored" and third.reason == f"replay of payload {first.pk}"
    assert Issue.objects.count() == 2


def test_payloads_whose_task_was_lost_are_drained_by_the_periodic_sweep():
    from datetime import timedelta

    from django.utils import timezone

    from tierline.intake.actions import do_process_forgotten_alert_payloads

    integration = do_create_integration(slug="prom", source="alertmanager")
    old = receive(integration, PAYLOADS[0])
    receive(integration, PAYLOADS[1])
    assert do_process_forgotten_alert_payloads() == 0  # recent payloads are their tasks' work
    # A worker stopped in the middle of the first payload's task, ten minutes ago.
    InboundMessage.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(minutes=10))
    assert do_process_forgotten_alert_payloads() == 1
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {"processed"}
    assert do_process_forgotten_alert_payloads() == 0


def test_a_failing_batch_before_the_message_does_not_leave_it_pending(monkeypatch):
    monkeypatch.setattr("tierline.intake.actions.DRAIN_PAYLOADS", 2)
    integration = do_create_integration(slug="prom", source="alertmanager")
    poisoned = payload(("poison", "firing", "10:00", "warning"))
    messages = [receive(integration, raw) for raw in (poisoned, PAYLOADS[0], PAYLOADS[1])]
    apply = alert_intake.AlertBatch.apply

    def apply_failing_on_poison(self, alert):
        if alert.fingerprint == "poison":
            raise RuntimeError("the database said no")
        return apply(self, alert)

    monkeypatch.setattr(alert_intake.AlertBatch, "apply", apply_failing_on_poison)
    last = do_process_message(messages[2])
    assert last.status == "processed"
    assert [m.status for m in InboundMessage.objects.order_by("id")] == ["quarantined", "processed", "processed"]
