from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories import make_component, make_contact, make_customer, make_issue, make_staff, make_team
from tierline.errors import InvalidInput, PayloadTooLarge
from tierline.issues.actions import Upload, do_add_comment, do_create_issue, do_update_issue
from tierline.issues.models import AppendOnlyError, EventKind, Issue

pytestmark = pytest.mark.django_db


def kinds(issue):
    return list(issue.events.values_list("kind", flat=True))


def test_create_issue_records_created_event_and_default_priority(org, agent):
    issue = make_issue(org, actor=agent, title="  Login   loops ", severity=2)
    assert issue.key == f"TL-{issue.pk}"
    assert issue.title == "Login loops"
    assert issue.priority == 1  # S2 -> P1 until triage rules apply
    assert issue.status == "new"
    event = issue.events.get()
    assert (event.kind, event.actor, event.data["channel"]) == ("created", agent, "portal")


def test_component_routes_new_issue_to_owning_team(org):
    team = make_team("Platform", tier=4)
    issue = make_issue(org, component=make_component("API", owner_team=team))
    assert issue.team == team


def test_requester_from_another_organization_is_refused(org, other_org):
    stranger = make_contact(other_org)
    with pytest.raises(InvalidInput) as error:
        make_issue(org, requester=stranger)
    assert "requester" in error.value.fields
    assert not Issue.objects.exists()


def test_requester_organization_is_used_when_none_given(org):
    issue = make_issue(None, requester=make_contact(org))
    assert issue.organization == org


@pytest.mark.parametrize("bad", [{"title": " "}, {"severity": 9}, {"channel": "fax"}, {"tier": 6}, {"priority": 4}])
def test_invalid_fields_are_refused_with_the_field_named(org, bad):
    fields = {"title": "ok", **bad}
    with pytest.raises(InvalidInput) as error:
        do_create_issue(actor=None, organization=org, **fields)
    assert set(error.value.fields) == {next(iter(bad))}


def test_first_public_staff_reply_sets_first_response_and_opens(org, agent, django_capture_on_commit_callbacks):
    requester = make_contact(org, email="maya@acme.example")
    issue = make_issue(org, requester=requester)
    do_add_comment(issue, author=agent, body="Internal thought", is_public=False)
    issue.refresh_from_db()
    assert issue.first_response_at is None
    with django_capture_on_commit_callbacks(execute=True):
        do_add_comment(issue, author=agent, body="We are looking into it", is_public=True)
    issue.refresh_from_db()
    assert issue.first_response_at is not None
    assert issue.status == "open"
    assert kinds(issue) == ["created", "note_added", "commented", "status_changed", "notified"]
    # The requester got the reply by mail, threaded by the issue key.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["maya@acme.example"]
    assert f"[{issue.key}]" in message.subject
    assert "We are looking into it" in message.body
    assert message.extra_headers["Message-ID"] == issue.events.get(kind="notified").data["message_id"]


def test_internal_note_never_mails_the_customer(org, agent, django_capture_on_commit_callbacks):
    issue = make_issue(org, requester=make_contact(org))
    with django_capture_on_commit_callbacks(execute=True):
        do_add_comment(issue, author=agent, body="secret plan", is_public=False)
    assert mail.outbox == []


def test_customer_reply_reopens_pending_issue(org, agent):
    customer = make_customer(org)
    issue = make_issue(org, requester=customer.contact)
    do_update_issue(issue, actor=agent, status="pending")
    do_add_comment(issue, author=customer, body="Still broken", is_public=True)
    issue.refresh_from_db()
    assert issue.status == "open"
    event = issue.events.filter(kind="status_changed").last()
    assert event.data == {"from": "pending", "to": "open"}
    assert event.actor_contact == customer.contact


def test_customer_cannot_write_internal_notes(org):
    customer = make_customer(org)
    issue = make_issue(org)
    with pytest.raises(InvalidInput):
        do_add_comment(issue, author=customer, body="psst", is_public=False)
    assert issue.comments.count() == 0


def test_update_records_one_event_per_change_and_skips_no_ops(org, agent):
    issue = make_issue(org)
    team = make_team("Operations", tier=3)
    engineer = make_staff("engineer_t4")
    do_update_issue(issue, actor=agent, status="open", assignee=engineer, team=team, tier=3, priority=0,
                    title="Renamed")
    assert kinds(issue)[1:] == ["fields_changed", "status_changed", "assigned", "team_changed",
                                "priority_changed", "tier_changed"]
    before = issue.events.count()
    do_update_issue(issue, actor=agent, status="open", assignee=engineer, team=team, tier=3)
    assert issue.events.count() == before
    assigned = issue.events.get(kind="assigned")
    assert assigned.data["to"]["id"] == engineer.pk


def test_resolve_then_reopen_clears_resolved_time(org, agent):
    issue = make_issue(org)
    issue = do_update_issue(issue, actor=agent, status="resolved")
    assert issue.resolved_at is not None
    issue = do_update_issue(issue, actor=agent, status="open")
    assert issue.resolved_at is None
    assert issue.events.filter(kind=EventKind.REOPENED).count() == 1


def test_unknown_or_customer_assignee_is_refused(org, agent):
    issue = make_issue(org)
    with pytest.raises(InvalidInput):
        do_update_issue(issue, actor=agent, requester=None)
    with pytest.raises(InvalidInput):
        do_update_issue(issue, actor=agent, assignee=make_customer(org))


def test_events_are_append_only(org):
    event = make_issue(org).events.get()
    event.data = {"forged": True}
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_attachment_over_limit_is_refused_and_nothing_is_written(org, agent, settings):
    settings.MAX_ATTACHMENT_BYTES = 10
    issue = make_issue(org)
    with pytest.raises(PayloadTooLarge):
        do_add_comment(issue, author=agent, body="see file", is_public=True,
                       attachments=[Upload("big.log", "text/plain", b"x" * 11)])
    assert issue.comments.count() == 0


def test_attachment_is_stored_in_the_data_dir(org, agent, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    issue = make_issue(org)
    comment = do_add_comment(issue, author=agent, body="log attached", is_public=True,
                             attachments=[Upload("trace.txt", "text/plain", b"Traceback...")])
    attachment = comment.attachments.get()
    assert attachment.size == 12
    assert (tmp_path / attachment.file.name).read_bytes() == b"Traceback..."
    assert issue.events.filter(kind="attachment_added").count() == 1


def test_historical_timestamps_are_kept(org, agent):
    then = timezone.now() - timedelta(days=40)
    issue = make_issue(org, at=then)
    do_add_comment(issue, author=agent, body="hi", is_public=True, at=then + timedelta(hours=1), notify=False)
    issue.refresh_from_db()
    assert issue.created_at == then
    assert issue.first_response_at == then + timedelta(hours=1)
