"""Turning one stored phone-line delivery into issue work. Called by
`actions.do_process_call_delivery` inside its transaction.

A call is known by its provider id (CallSid). The first report of a call finds its caller (a
contact by number; on a line dedicated to one organization, an unknown number becomes that
organization's contact) and joins the caller's open phone issue or opens one. Later reports of
the same call update it: the timeline says when the call ended and when its recording arrived,
and an outbound call that ended answered counts as the response it was (`actions.is_response`).
A report of a call not reported yet (Twilio's recording callback may overtake the status
callback) raises `CallNotReported`: the delivery waits for its call (actions.py).

An agent's call from a browser phone is one call, known by the agent's leg (From `client:`):
never a contact or an issue for the agent's identity. The customer is its To, or the To of the
leg its `<Dial>` placed; that leg (`ParentCallSid`) is the customer's side, so its status, length
and outcome are the call's, and its answered end counts as the response. The agent's leg only
tells that the call exists and brings its recording. A `<Dial>` leg waits until the call that
dialed it is reported (Twilio reports the legs in any order); the leg of any other call (a
customer's call forwarded to an agent) is ignored.
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
from .queries import find_open_conversation, stored_reports
from .twilio import StatusCallback, read_form, read_status_callback

OUTCOME_FOR_STATUS = {
    "completed": Outcome.ANSWERED, "busy": Outcome.BUSY, "no-answer": Outcome.NO_ANSWER,
    "canceled": Outcome.NO_ANSWER, "failed": Outcome.FAILED,
}


class CallNotReported(Exception):
    def __init__(self, call_sid: str, waiting_for: str = "call"):
        super().__init__(f"waiting for {waiting_for} {call_sid} to be reported")
        self.call_sid, self.waiting_for = call_sid, waiting_for


def apply_delivery(delivery: CallDelivery) -> tuple[str, str, Call | None]:
    replay = (CallDelivery.objects.filter(line=delivery.line, sha256=delivery.sha256,
                                          status=InboundStatus.PROCESSED).exclude(pk=delivery.pk).first())
    if replay is not None:
        return InboundStatus.IGNORED, f"retry of delivery {replay.pk}", replay.call
    if delivery.line is None:
        raise ValueError("the phone line that received this delivery was deleted")
    callback = read_status_callback(read_form(bytes(delivery.raw)))
    if callback.parent_call_sid:
        return _dialed_leg(delivery, callback)
    call = _locked_call(callback.call_sid)
    if call is None and callback.is_recording_only:
        raise CallNotReported(callback.call_sid)
    if callback.is_from_browser_phone:
        return _browser_phone_leg(delivery, callback, call)
    if call is None:
        return InboundStatus.PROCESSED, "", _first_report(delivery.line, callback)
    _later_report(call, callback)
    return InboundStatus.PROCESSED, "", call


def _locked_call(call_sid: str) -> Call | None:
    # Lock the call row only: PostgreSQL refuses FOR UPDATE on the nullable side of the joins.
    return Call.objects.select_for_update(of=("self",)).select_related("issue", "contact", "line").filter(
        external_id=call_sid).first()


def _stored_callbacks(delivery: CallDelivery, call_sid: str) -> list[StatusCallback]:
    """The status callbacks stored for a call (its own and its legs'), oldest first; a delivery
    that cannot be read is not one."""
    found = []
    for raw in stored_reports(delivery.line, call_sid, exclude=delivery.pk):
        try:
            callback = read_status_callback(read_form(raw))
        except ValueError:
            continue
        if not callback.is_recording_only:
            found.append(callback)
    return found


def _dialed_leg(delivery: CallDelivery, leg: StatusCallback) -> tuple[str, str, Call | None]:
    """A leg a `<Dial>` placed: the customer's side of an agent's browser-phone call, or the leg
    of another call to whoever answers for us (nothing of the customer's)."""
    parent_sid = leg.parent_call_sid
    if leg.is_to_browser_phone:
        return InboundStatus.IGNORED, f"a leg of call {parent_sid} to an agent's browser phone", None
    parents = [c for c in _stored_callbacks(delivery, parent_sid) if c.call_sid == parent_sid]
    if not parents:
        raise CallNotReported(parent_sid)
    if not parents[0].is_from_browser_phone:
        # A customer's call forwarded to an agent: the customer's own call is its parent.
        return InboundStatus.IGNORED, f"a leg of call {parent_sid}", None
    call = _locked_call(parent_sid)
    if call is None:
        return InboundStatus.PROCESSED, "", _first_report(delivery.line, leg, call_sid=parent_sid)
    _later_report(call, leg, is_customer_leg=True)
    return InboundStatus.PROCESSED, "", call


def _browser_phone_leg(delivery: CallDelivery, callback: StatusCallback,
                       call: Call | None) -> tuple[str, str, Call | None]:
    """The agent's own leg: its status is the browser's, not the customer's, so it only makes the
    call known (once the customer's number is) and brings the recording."""
    if call is not None:
        _later_report(call, callback, is_agent_leg=True)
        return InboundStatus.PROCESSED, "", call
    number = callback.to_number if normalise_number(callback.to_number) else ""
    if not number:
        legs = [c for c in _stored_callbacks(delivery, callback.call_sid)
                if c.parent_call_sid == callback.call_sid and normalise_number(c.to_number)]
        if not legs:
            raise CallNotReported(callback.call_sid, waiting_for="the leg to the customer of call")
        number = legs[0].to_number
    return InboundStatus.PROCESSED, "", _first_report(delivery.line, callback, number=number, is_agent_leg=True)


def _caller(line: PhoneLine, callback: StatusCallback, number: str) -> Contact | None:
    contact = match_caller(number)
    if contact is None and line.organization_id and normalise_number(number):
        # Only a number we can tie to a customer becomes a contact; a contact needs an email, and
        # the reserved .invalid domain guarantees no mail ever leaves for it.
        # CallerName names who called: the customer only on their own call, never on ours to them.
        name = callback.caller_name if callback.direction == Direction.INBOUND else ""
        contact = do_create_contact(email=f"phone-{number.lstrip('+')}@calls.invalid", name=name,
                                    organization=line.organization, phone=number)
    return contact


def _first_report(line: PhoneLine, callback: StatusCallback, *, call_sid: str = "", number: str = "",
                  is_agent_leg: bool = False) -> Call:
    """The call, from its first report. `call_sid` files a customer's leg under the agent's call;
    `is_agent_leg`: an agent's browser leg, whose status is not the customer's."""
    number = caller_number_or_error(number or callback.customer_number, strict=False)
    contact = _caller(line, callback, number)
    status = "" if is_agent_leg else callback.status
    outcome = OUTCOME_FOR_STATUS.get(status, Outcome.IN_PROGRESS)
    now = timezone.now()
    fields = dict(
        actor=None, direction=callback.direction, caller_number=number, outcome=outcome,
        duration_seconds=0 if is_agent_leg else callback.duration_seconds or 0, contact=contact,
        is_caller_matched=True, line=line, external_id=call_sid or callback.call_sid, provider_status=status,
        recording_url=callback.recording_url,
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


def _later_report(call: Call, callback: StatusCallback, *, is_agent_leg: bool = False,
                  is_customer_leg: bool = False) -> None:
    """A later report of a call. An agent's browser leg brings only the recording; a report that
    Twilio delivered late never takes an ended call back to ringing."""
    now = timezone.now()
    changes = []
    update = []
    has_ended = call.provider_status in OUTCOME_FOR_STATUS
    ended = callback.has_ended and not has_ended and not is_agent_leg
    if callback.status and not is_agent_leg and (callback.has_ended or not has_ended):
        call.provider_status = callback.status  # a recording callback says nothing of the call's status
        update.append("provider_status")
    if (callback.duration_seconds is not None and callback.duration_seconds != call.duration_seconds
            and not is_agent_leg):
        call.duration_seconds = callback.duration_seconds
        update.append("duration_seconds")
    if ended and is_customer_leg and callback.started_at is not None:
        # The conversation began when the customer's leg did, not when the agent's browser did.
        call.started_at = min(callback.started_at, now)
        update.append("started_at")
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
