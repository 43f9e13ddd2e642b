"""Priority overrides and their removal leave an audit entry: who, what, why, from where; in the
same transaction as the override itself."""

import pytest

from tests.factories import make_issue, make_org, make_staff
from tierline.audit.actions import AuditAction
from tierline.audit.chain import verify_chain
from tierline.audit.models import AuditEntry
from tierline.triage import actions
from tierline.triage.actions import do_override_priority, do_remove_priority_override

pytestmark = pytest.mark.django_db


def test_override_and_removal_are_audited_with_who_what_why_and_where(api_as):
    org = make_org(name="Acme")
    issue = make_issue(org, severity=3)
    lead = make_staff("support_t2", email="lead@tierline.example")
    api = api_as(lead)
    assert api.post(f"/issues/{issue.key}/priority-override",
                    {"priority": 0, "reason": "Board member is waiting"}).status_code == 200
    assert api.post(f"/issues/{issue.key}/priority-override",
                    {"priority": None, "reason": "Workaround in place"}).status_code == 200
    set_, removed = AuditEntry.objects.filter(target_id=issue.key).order_by("id")
    assert (set_.action, set_.actor, set_.actor_email, set_.organization) == (
        AuditAction.PRIORITY_OVERRIDDEN, lead, "lead@tierline.example", org)
    assert (set_.target_type, set_.reason, set_.data) == (
        "issues.issue", "Board member is waiting", {"from": 2, "to": 0, "computed": 2})
    assert set_.ip_address == "127.0.0.1"  # from where: the request's address
    assert (removed.action, removed.reason) == (AuditAction.PRIORITY_OVERRIDE_REMOVED, "Workaround in place")
    assert removed.data == {"from": 0, "to": 2, "override_reason": "Board member is waiting"}
    assert verify_chain().is_intact


def test_removal_without_a_reason_says_so_and_nothing_to_remove_records_nothing():
    issue = make_issue(make_org(), severity=3)
    lead = make_staff("support_t2")
    do_remove_priority_override(issue, actor=lead)
    assert not AuditEntry.objects.filter(target_id=issue.key).exists()
    do_override_priority(issue, actor=lead, priority=1, reason="VIP")
    do_remove_priority_override(issue, actor=lead)
    assert AuditEntry.objects.filter(target_id=issue.key).order_by("id").last().reason == "override removed"


def test_a_failed_override_leaves_no_audit_entry(monkeypatch):
    issue = make_issue(make_org(), severity=3)

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(actions, "sync_sla_clocks", fail)  # the last step of the override's transaction
    with pytest.raises(RuntimeError):
        do_override_priority(issue, actor=make_staff("support_t2"), priority=0, reason="VIP")
    issue.refresh_from_db()
    assert issue.priority_override is None and not AuditEntry.objects.filter(target_id=issue.key).exists()
