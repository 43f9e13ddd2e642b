"""Telling the customers of a shipped request: one public reply per issue, emailed, exactly once."""

import pytest
from django.core import mail
from django.test import override_settings

from tests.factories import make_contact, make_issue
from tests.feedback.helpers import ask, make_request
from tierline.errors import InvalidInput
from tierline.feedback.actions import do_mark_feature_request, do_tell_requesters, do_update_feature_request
from tierline.issues.actions import do_update_issue
from tierline.issues.models import Comment, EventKind

pytestmark = pytest.mark.django_db


def _shipped(agent, title="CSV export"):
    return do_update_feature_request(make_request(title), actor=agent, status="shipped")


def test_tell_replies_once_on_each_issue_and_resolves(org, other_org, agent, django_capture_on_commit_callbacks):
    request = _shipped(agent)
    issues = [ask(request, org, requester=make_contact(org, email="maya@acme.example")),
              ask(request, other_org, requester=make_contact(other_org, email="li@globex.example"))]
    with django_capture_on_commit_callbacks(execute=True):
        assert do_tell_requesters(request, actor=agent) == 2
    # Resolving also sends each requester the satisfaction survey; the replies are the other mails.
    replies = [m for m in mail.outbox if "How did we do" not in m.subject]
    assert sorted(m.to[0] for m in replies) == ["li@globex.example", "maya@acme.example"]
    for issue in issues:
        issue.refresh_from_db()
        (reply,) = Comment.objects.filter(issue=issue)
        assert reply.is_public and reply.author == agent and "CSV export" in reply.body
        assert issue.status == "resolved"
        assert issue.feature_request_link.notified_comment == reply
    # Telling again tells nobody: no second reply, no second mail.
    with django_capture_on_commit_callbacks(execute=True):
        assert do_tell_requesters(request, actor=agent) == 0
    assert Comment.objects.count() == 2 and len(mail.outbox) == len(replies) + 2


def test_only_new_askers_are_told_after_the_first_round(org, agent):
    request = _shipped(agent)
    first = ask(request, org)
    do_tell_requesters(request, actor=agent, body="It shipped in 4.2")
    late = ask(request, org)
    assert do_tell_requesters(request, actor=agent, body="It shipped in 4.2") == 1
    assert Comment.objects.filter(issue=first).count() == 1
    assert Comment.objects.get(issue=late).body == "It shipped in 4.2"


def test_issues_moved_by_a_merge_keep_having_been_told(org, agent):
    from tierline.feedback.actions import do_merge_feature_requests

    old, new = _shipped(agent, "Old"), _shipped(agent, "New")
    told = ask(old, org)
    do_tell_requesters(old, actor=agent)
    untold = ask(new, org)
    do_merge_feature_requests(old, into=new, actor=agent, reason="same")
    assert do_tell_requesters(new, actor=agent) == 1
    assert Comment.objects.filter(issue=told).count() == 1
    assert Comment.objects.filter(issue=untold).count() == 1


def test_tell_needs_a_shipped_request(org, agent):
    request = make_request()
    ask(request, org)
    with pytest.raises(InvalidInput) as error:
        do_tell_requesters(request, actor=agent)
    assert error.value.fields == {"status": "must be shipped"}
    assert Comment.objects.count() == 0


@override_settings(FEATURE_REQUEST_RESOLVE_ON_TELL=False)
def test_resolving_is_configurable(org, agent):
    request = _shipped(agent)
    issue = ask(request, org)
    do_tell_requesters(request, actor=agent)
    issue.refresh_from_db()
    assert issue.status == "open"  # the staff reply opened it, and it stays open
    closed = ask(request, org)
    do_update_issue(closed, actor=agent, status="closed")
    do_tell_requesters(request, actor=agent, resolve=True)
    closed.refresh_from_db()
    assert closed.status == "closed"  # a closed issue is not reopened as resolved


def test_the_reply_is_on_the_timeline(org, agent):
    request = _shipped(agent)
    issue = make_issue(org)
    do_mark_feature_request(issue, actor=agent, request=request)
    do_tell_requesters(request, actor=agent)
    kinds = list(issue.events.values_list("kind", flat=True))
    assert kinds[:3] == [EventKind.CREATED, EventKind.FEATURE_REQUEST, EventKind.COMMENTED]
    assert EventKind.STATUS_CHANGED in kinds
