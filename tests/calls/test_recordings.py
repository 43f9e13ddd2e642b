"""Twilio's recording status callback may reach Tierline before the call's own status callback:
it waits for its call (read again with a growing delay, and at once when the call is reported),
in either order nothing is lost and nothing stays in the quarantine once the call shows up."""

import pytest

from tests.calls.helpers import make_phone_line, status_callback
from tierline.calls import actions
from tierline.calls.models import Call, CallDelivery
from tierline.calls.tasks import process_call_delivery
from tierline.issues.models import EventKind

pytestmark = pytest.mark.django_db
SID = "CA" + "9" * 32
RECORDING_URL = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"


def recording(**fields) -> dict:
    return {"AccountSid": "AC0123456789abcdef0123456789abcdef", "CallSid": SID, "RecordingSid": "RE" + "1" * 32,
            "RecordingUrl": RECORDING_URL, "RecordingStatus": "completed", "RecordingDuration": "61", **fields}


def changes(call) -> list[str]:
    return [e.data["change"] for e in call.issue.events.filter(kind=EventKind.CALL_LOGGED).order_by("id")]


@pytest.fixture
def scheduled(monkeypatch):
    """The delayed re-reads the worker would run, as (delivery id, delay in seconds)."""
    calls = []
    monkeypatch.setattr(process_call_delivery, "schedule", lambda args, delay: calls.append((*args, delay)))
    return calls


def test_call_first_then_its_recording(post_callback, scheduled):
    line = make_phone_line()
    post_callback(line, status_callback(CallSid=SID))
    post_callback(line, recording())
    call = Call.objects.get()
    assert call.recording_url == RECORDING_URL and call.provider_status == "completed"
    assert changes(call) == ["logged", "recording"]
    assert set(CallDelivery.objects.values_list("status", flat=True)) == {"processed"} and not scheduled


def test_recording_first_waits_and_is_read_when_its_call_arrives(post_callback, scheduled):
    line = make_phone_line()
    assert post_callback(line, recording()).status_code == 202
    early = CallDelivery.objects.get()
    assert (early.status, early.waits, early.processed_at) == ("pending", 1, None)
    assert f"waiting for call {SID}" in early.reason
    assert scheduled == [(early.pk, actions.WAIT_SECONDS[0])]
    post_callback(line, status_callback(CallSid=SID))
    early.refresh_from_db()
    call = Call.objects.get()
    assert (early.status, early.call, early.reason) == ("processed", call, "")
    assert call.recording_url == RECORDING_URL and changes(call) == ["logged", "recording"]
    # The timer the worker still holds finds nothing left to do.
    process_call_delivery.call_local(early.pk)
    assert changes(call) == ["logged", "recording"] and Call.objects.count() == 1


def test_a_waiting_recording_is_read_again_with_a_growing_delay(post_callback, scheduled,
                                                               django_capture_on_commit_callbacks):
    line = make_phone_line()
    post_callback(line, recording())
    early = CallDelivery.objects.get()
    for expected in actions.WAIT_SECONDS[1:]:
        with django_capture_on_commit_callbacks(execute=True):
            process_call_delivery.call_local(early.pk)  # the worker, when the delay is over
        assert scheduled[-1] == (early.pk, expected)
    assert CallDelivery.objects.get().status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        process_call_delivery.call_local(early.pk)  # the last try: kept in the quarantine, not lost
    early.refresh_from_db()
    assert early.status == "quarantined" and "never reported" in early.reason
    assert len(scheduled) == len(actions.WAIT_SECONDS)
    # The call shows up at last: the recording leaves the quarantine on its own.
    post_callback(line, status_callback(CallSid=SID))
    early.refresh_from_db()
    assert early.status == "processed" and Call.objects.get().recording_url == RECORDING_URL


def test_the_timer_finds_the_call_when_it_came_in_between(post_callback, scheduled, monkeypatch):
    """The call's report and the waiting recording read at the same moment: the call does not see
    the recording waiting yet, the recording's next read finds the call."""
    line = make_phone_line()
    monkeypatch.setattr(actions, "waiting_for_call", lambda delivery: [])
    post_callback(line, recording())
    post_callback(line, status_callback(CallSid=SID))
    early = CallDelivery.objects.order_by("id").first()
    assert early.status == "pending"
    process_call_delivery.call_local(early.pk)
    early.refresh_from_db()
    assert early.status == "processed" and Call.objects.get().recording_url == RECORDING_URL


def test_the_workers_pass_reads_what_still_waits_for_a_reported_call(post_callback, scheduled, monkeypatch):
    from tierline.calls.tasks import process_waiting_deliveries

    line = make_phone_line()
    monkeypatch.setattr(actions, "waiting_for_call", lambda delivery: [])  # the wake-up is lost
    post_callback(line, recording())
    CallDelivery.objects.filter(call_sid=SID).update(status="quarantined", waits=len(actions.WAIT_SECONDS))
    post_callback(line, status_callback(CallSid=SID))
    post_callback(line, recording(CallSid="CA" + "4" * 32))  # its call never came: it keeps waiting
    process_waiting_deliveries.call_local()
    statuses = dict(CallDelivery.objects.values_list("call_sid", "status"))
    assert statuses == {SID: "processed", "CA" + "4" * 32: "pending"}
    assert Call.objects.get().recording_url == RECORDING_URL
