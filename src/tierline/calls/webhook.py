"""Turning one stored phone-line delivery into issue work. Called by
`actions.do_process_call_delivery` inside its transaction.

A call is known by its provider id (CallSid). The first report of a call finds its caller (a
contact by number; on a line dedicated to one organization, an unknown number becomes that
organization's contact) and joins the caller's open phone issue or opens one. Later reports of
the same call update it: the timeline says when the call ended and when its recording arrived,
and an outbound call that ended answered counts as the response it was (`actions.is_response`).
A report of a call not reported yet (Twilio's recording callback may overtake the status
callback) raises `CallNotReported`: the delivery waits for its call (actions.py).
"""

from django.utils import timezone

from tierline.customers.actions import do_create_contact
from tierline.customers.models import Contact
from tierline.intake.models import InboundStatus

from .actions import (
    caller_number_or_error,
    do_log_call,
    do_open_issue_from_call,
    is_response,
    match_caller,
    move_issue_for_call,
    record_call_event,
)
from .models import PROVIDER_OUTCOMES, Call, CallDelivery, Direction, Outcome, PhoneLine
from .numbers import mask_number, normalise_number
from .queries import find_open_conversation
from .twilio import StatusCallback, read_form, read_status_callback

OUTCOME_FOR_STATUS = {
    "completed": Outcome.ANSWERED, "busy": Outcome.BUSY, "no-answer": Outcome.NO_ANSWER,
    "canceled": Outcome.NO_ANSWER, "failed": Outcome.FAILED,
}


class CallNotReported(Exception):
    def __init__(self, call_sid: str):
        super().__init__(f"no call {call_sid} reported yet")
        self.call_sid = call_sid


def apply_delivery(delivery: CallDelivery) -> tuple[str, str, Call | None]:
    replay = (CallDelivery.objects.filter(line=delivery.line, sha256=delivery.sha256,
                                          status=InboundStatus.PROCESSED).exclude(pk=delivery.pk).first())
    if replay is not None:
        return InboundStatus.IGNORED, f"retry of delivery {replay.pk}", replay.call
    if delivery.line is None:
        raise ValueError("the phone line that received this delivery was deleted")
    callback = read_status_callback(read_form(bytes(delivery.raw)))
    if callback.parent_call_sid:
        # The leg a <Dial> placed to an agent: the customer's own call is its parent.
        return InboundStatus.IGNORED, f"a leg of call {callback.parent_call_sid}", None
    # Lock the call row only: PostgreSQL refuses FOR UPDATE on the nullable side of the joins.
    call = Call.objects.select_for_update(of=("self",)).select_related("issue", "contact", "line").filter(
        external_id=callback.call_sid).first()
    if call is None and callback.is_recording_only:
        raise CallNotReported(callback.call_sid)
    if call is None:
        return InboundStatus.PROCESSED, "", _first_report(delivery.line, callback)
    _later_report(call, callback)
    return InboundStatus.PROCESSED, "", call


def _caller(line: PhoneLine, callback: StatusCallback, number: str) -> Contact | None:
    contact = match_caller(number)
    if contact is None and line.organization_id and normalise_number(number):
        # Only a number we can tie to a customer becomes a contact; a contact needs an email, and
        # the reserved .invalid domain guarantees no mail ever leaves for it.
        contact = do_create_contact(email=f"phone-{number.lstrip('+')}@calls.invalid", name=callback.caller_name,
                                    organization=line.organization, phone=number)
    return contact


def _first_report(line: PhoneLine, callback: StatusCallback) -> Call:
    number = caller_number_or_error(callback.customer_number, strict=False)
    contact = _caller(line, callback, number)
    outcome = OUTCOME_FOR_STATUS.get(callback.status, Outcome.IN_PROGRESS)
    now = timezone.now()
    fields = dict(
        actor=None, direction=callback.direction, caller_number=number, outcome=outcome,
        duration_seconds=callback.duration_seconds or 0, contact=contact, is_caller_matched=True, line=line,
        external_id=callback.call_sid, provider_status=callback.status, recording_url=callback.recording_url,
        # Twilio's clock, not the time the worker got to it; never ahead of ours.
        started_at=min(callback.started_at or now, now), at=now,
    )
    issue = find_open_conversation(contact, number)
    if issue is not None:
        return do_log_call(issue, **fields)
    # Titles are shown to everyone who sees the issue: no name, only the masked number.
    who = mask_number(number) if normalise_number(number) else "an unknown number"
    verb = "Call from" if callback.direction == Direction.INBOUND else "Call to"
    return do_open_issue_from_call(
        title=f"{verb} {who}", description=f"{verb} {who} on phone line {line.slug}.",
        organization=contact.organization if contact else line.organization, **fields,
    )


def _later_report(call: Call, callback: StatusCallback) -> None:
    now = timezone.now()
    changes = []
    update = []
    ended = callback.has_ended and call.provider_status not in OUTCOME_FOR_STATUS
    if callback.status:  # a recording callback says nothing of the call's status
        call.provider_status = callback.status
        update.append("provider_status")
    if callback.duration_seconds is not None and callback.duration_seconds != call.duration_seconds:
        call.duration_seconds = callback.duration_seconds
        update.append("duration_seconds")
    if ended:
        changes.append("ended")
        if call.outcome in PROVIDER_OUTCOMES:  # never overwrite what an agent said
            call.outcome = OUTCOME_FOR_STATUS[callback.status]
            update.append("outcome")
    if callback.recording_url and callback.recording_url != call.recording_url:
        call.recording_url = callback.recording_url
        update.append("recording_url")
        changes.append("recording")
    if update:
        call.save(update_fields=update)
    for change in changes:
        record_call_event(call, change, actor=None, at=now)
    if ended and is_response(call, None):
        move_issue_for_call(call.issue, call, actor=None, now=now)
