"""Marking issues as feature requests, editing requests, and merging two requests like duplicates."""

import pytest

from tests.factories import make_component, make_issue, make_staff
from tests.feedback.helpers import ask, make_request
from tierline.errors import InvalidInput
from tierline.feedback.actions import (
    do_create_feature_request,
    do_mark_feature_request,
    do_merge_feature_requests,
    do_update_feature_request,
)
from tierline.feedback.models import FeatureRequest, RequestLink
from tierline.issues.models import EventKind, Severity

pytestmark = pytest.mark.django_db


def test_marking_a_question_creates_a_request_from_the_issue(org, agent):
    component = make_component("Billing")
    issue = make_issue(org, title="Can I export invoices as CSV?", description="Our accountant asks for it.",
                       severity=Severity.S4, component=component)
    link = do_mark_feature_request(issue, actor=agent)
    request = link.request
    assert (request.title, request.description, request.component, request.status) == (
        "Can I export invoices as CSV?", "Our accountant asks for it.", component, "open")
    event = issue.events.get(kind=EventKind.FEATURE_REQUEST)
    assert event.actor == agent
    assert event.data == {"request": {"id": request.pk, "key": request.key, "title": request.title}, "from": None}


def test_marking_again_moves_the_issue_to_the_other_request(org, agent):
    first, second = make_request("CSV export"), make_request("Excel export")
    issue = ask(first, org)
    do_mark_feature_request(issue, actor=agent, request=second)
    assert RequestLink.objects.get(issue=issue).request == second
    assert first.links.count() == 0
    moved = issue.events.filter(kind=EventKind.FEATURE_REQUEST).last()
    assert moved.data["from"]["key"] == first.key and moved.data["request"]["key"] == second.key
    with pytest.raises(InvalidInput) as error:
        do_mark_feature_request(issue, actor=agent, request=second)
    assert error.value.fields == {"request": "already linked"}


def test_a_request_needs_a_title_and_a_known_status(agent):
    with pytest.raises(InvalidInput) as error:
        do_create_feature_request(actor=agent, title="   ")
    assert error.value.fields == {"title": "required"}
    request = make_request()
    with pytest.raises(InvalidInput) as error:
        do_update_feature_request(request, actor=agent, status="maybe")
    assert "status" in error.value.fields
    request.refresh_from_db()
    assert request.status == "open"  # nothing lost on a refusal


def test_shipping_stamps_when(agent):
    request = do_update_feature_request(make_request(), actor=agent, status="shipped")
    assert request.shipped_at is not None
    stamped = request.shipped_at
    request = do_update_feature_request(request, actor=agent, status="shipped", title="CSV export of invoices")
    assert request.shipped_at == stamped and request.title == "CSV export of invoices"


def test_merging_moves_the_issues_and_keeps_the_merged_request(org, other_org):
    lead = make_staff("support_t2", name="Lena Lead")
    target, duplicate = make_request("CSV export"), make_request("Download invoices as a spreadsheet")
    kept = ask(target, org)
    moved = [ask(duplicate, org), ask(duplicate, other_org)]
    do_merge_feature_requests(duplicate, into=target, actor=lead, reason="Both want invoices in a spreadsheet")
    duplicate.refresh_from_db()
    assert duplicate.merged_into == target and duplicate.merged_by == lead and duplicate.merged_at is not None
    assert duplicate.merge_reason == "Both want invoices in a spreadsheet"
    assert FeatureRequest.objects.filter(pk=duplicate.pk).exists()  # never deleted
    assert set(target.links.values_list("issue_id", flat=True)) == {kept.pk, *(i.pk for i in moved)}
    for issue in moved:
        event = issue.events.get(kind=EventKind.REQUEST_MERGED)
        assert event.actor == lead
        assert event.data["from"]["key"] == duplicate.key and event.data["into"]["key"] == target.key
    assert not kept.events.filter(kind=EventKind.REQUEST_MERGED).exists()


def test_a_merged_request_answers_as_merged(org, agent):
    target, duplicate = make_request("CSV export"), make_request("Spreadsheet export")
    do_merge_feature_requests(duplicate, into=target, actor=agent, reason="same thing")
    with pytest.raises(InvalidInput) as error:
        do_update_feature_request(duplicate, actor=agent, status="planned")
    assert error.value.fields == {"request": f"merged into {target.key}"}
    # Marking an issue with the merged request links it to the one it was merged into.
    issue = ask(duplicate, org)
    assert RequestLink.objects.get(issue=issue).request == target
    with pytest.raises(InvalidInput):
        do_merge_feature_requests(duplicate, into=make_request("Other"), actor=agent, reason="again")


def test_merging_refuses_itself_a_merged_target_and_no_reason(agent):
    a, b, c = make_request("A"), make_request("B"), make_request("C")
    with pytest.raises(InvalidInput) as error:
        do_merge_feature_requests(a, into=a, actor=agent, reason="same")
    assert error.value.fields == {"into": "another request"}
    with pytest.raises(InvalidInput) as error:
        do_merge_feature_requests(a, into=b, actor=agent, reason="  ")
    assert error.value.fields == {"reason": "required"}
    do_merge_feature_requests(b, into=c, actor=agent, reason="same")
    with pytest.raises(InvalidInput) as error:
        do_merge_feature_requests(a, into=b, actor=agent, reason="same")
    assert error.value.fields == {"into": f"merged into {c.key}"}
    a.refresh_from_db()
    assert a.merged_into is None


def test_requests_merged_earlier_follow_the_merge(agent):
    """B was merged into A; merging A into C makes B answer as merged into C (no chains)."""
    a, b, c = make_request("A"), make_request("B"), make_request("C")
    do_merge_feature_requests(b, into=a, actor=agent, reason="same")
    do_merge_feature_requests(a, into=c, actor=agent, reason="same")
    b.refresh_from_db()
    assert b.merged_into == c

