"""/issues/{key}/calls, /calls (an issue opened from a call), /calls/lines, and the phone lines'
webhook /calls/twilio/{line}, which authenticates by the provider's signature, not a user token."""

from django.conf import settings
from ninja import Router, Status

from tierline.accounts.permissions import has_perm
from tierline.accounts.schemas import user_ref
from tierline.customers.masking import PersonalData
from tierline.customers.models import Contact, Organization
from tierline.errors import ActionError, NotFound, PayloadTooLarge, PermissionDenied
from tierline.intake.models import InboundStatus
from tierline.issues.api import issue_out
from tierline.issues.queries import get_issue_for_user
from tierline.schemas import ERRORS, referenced_row

from .actions import (
    do_create_phone_line,
    do_log_call,
    do_open_issue_from_call,
    do_receive_call_delivery,
    do_set_phone_line_token,
)
from .numbers import mask_number
from .queries import find_phone_line, list_calls, list_phone_lines
from .schemas import (
    CallIn,
    CallIssueIn,
    CallOpened,
    CallOut,
    DeliveryAccepted,
    PhoneLineIn,
    PhoneLineOut,
    PhoneLineTokenIn,
)
from .tokens import open_token
from .twilio import MalformedCallback, is_signed, read_form, read_status_callback

router = Router(tags=["calls"])


def call_out(call, privacy: PersonalData) -> dict:
    """`privacy`: the reader's view of personal data (the contact's name masked unless unmasked)."""
    return {
        "id": call.pk, "issue": call.issue.key, "direction": call.direction, "caller": mask_number(call.caller_number),
        "contact": {"id": call.contact.pk, "name": privacy.contact_label(call.contact)} if call.contact_id else None,
        "duration_seconds": call.duration_seconds, "outcome": call.outcome, "notes": call.notes,
        "logged_by": user_ref(call.logged_by), "line": call.line.slug if call.line_id else None,
        "external_id": call.external_id, "provider_status": call.provider_status,
        "recording_url": call.recording_url, "started_at": call.started_at, "created_at": call.created_at,
    }


def _privacy(request, issue) -> PersonalData:
    return PersonalData(request.auth, what=f"calls of issue {issue.key}", organization_id=issue.organization_id)


def _may_log(user) -> None:
    if not has_perm(user, "call.log"):
        raise PermissionDenied("Only staff can log calls")


def _contact(payload: CallIn) -> Contact | None:
    return referenced_row(Contact, payload.contact_id, "contact_id")


@router.get("/issues/{key}/calls", response={200: list[CallOut], **ERRORS})
def get_calls(request, key: str):
    """The calls logged on an issue, oldest first (staff only: call notes are internal)."""
    issue = get_issue_for_user(request.auth, key)
    privacy = _privacy(request, issue)
    return [call_out(c, privacy) for c in list_calls(request.auth, issue).select_related("line")]


@router.post("/issues/{key}/calls", response={201: CallOut, **ERRORS})
def log_call(request, key: str, payload: CallIn):
    """Log a call on an issue. The caller is matched to a contact by number unless `contact_id`
    is given; the outcome `resolved` resolves the issue."""
    issue = get_issue_for_user(request.auth, key)
    _may_log(request.auth)
    call = do_log_call(
        issue, actor=request.auth, direction=payload.direction, caller_number=payload.caller_number,
        outcome=payload.outcome, duration_seconds=payload.duration_seconds, notes=payload.notes,
        contact=_contact(payload), started_at=payload.started_at,
    )
    return Status(201, call_out(call, _privacy(request, issue)))


@router.post("/calls", response={201: CallOpened, **ERRORS})
def open_issue_from_call(request, payload: CallIssueIn):
    """Open a new issue (channel `phone`) from a call; the caller becomes its requester."""
    _may_log(request.auth)
    call = do_open_issue_from_call(
        actor=request.auth, title=payload.title, description=payload.description, severity=payload.severity,
        organization=referenced_row(Organization, payload.organization_id, "organization_id"),
        direction=payload.direction, caller_number=payload.caller_number, outcome=payload.outcome,
        duration_seconds=payload.duration_seconds, notes=payload.notes, contact=_contact(payload),
        started_at=payload.started_at,
    )
    issue = get_issue_for_user(request.auth, call.issue.key)
    privacy = _privacy(request, issue)
    return Status(201, {"issue": issue_out(issue, privacy), "call": call_out(call, privacy)})


def line_out(line) -> dict:
    return {
        "id": line.pk, "slug": line.slug, "provider": line.provider, "organization_id": line.organization_id,
        "is_active": line.is_active,
        "status_callback_url": f"{settings.BASE_URL}/api/v1/calls/{line.provider}/{line.slug}",
    }


@router.get("/calls/lines", response={200: list[PhoneLineOut], **ERRORS})
def get_phone_lines(request):
    return [line_out(line) for line in list_phone_lines(request.auth)]


@router.post("/calls/lines", response={201: PhoneLineOut, **ERRORS})
def create_phone_line(request, payload: PhoneLineIn):
    """Add a phone line with the provider's auth token (kept sealed, never shown again)."""
    list_phone_lines(request.auth)  # the permission check (admins)
    line = do_create_phone_line(
        actor=request.auth, slug=payload.slug, provider=payload.provider, auth_token=payload.auth_token,
        organization=referenced_row(Organization, payload.organization_id, "organization_id"),
    )
    return Status(201, line_out(line))


@router.put("/calls/lines/{line}/token", response={200: PhoneLineOut, **ERRORS})
def set_phone_line_token(request, line: str, payload: PhoneLineTokenIn):
    """Set the provider's auth token again: after rotating it at the provider, or after the
    server's secret key changed (tokens sealed under the old key no longer open)."""
    found = list_phone_lines(request.auth).filter(slug=line[:50]).first()
    if found is None:
        raise NotFound("Phone line not found")
    return line_out(do_set_phone_line_token(found, actor=request.auth, auth_token=payload.auth_token))


FORM_BODY = {"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
    "type": "object", "required": ["CallSid", "From", "To", "CallStatus"],
    "properties": {name: {"type": "string"} for name in (
        "CallSid", "AccountSid", "From", "To", "CallStatus", "Direction", "CallDuration", "RecordingUrl",
        "CallerName", "Timestamp", "SequenceNumber", "ParentCallSid")},
}}}}}


def _request_urls(request) -> list[str]:
    # Twilio signs the URL it was configured with: the public one (TIERLINE_BASE_URL) behind a
    # proxy, the one this server sees otherwise.
    return [settings.BASE_URL.rstrip("/") + request.get_full_path(), request.build_absolute_uri()]


@router.post("/calls/twilio/{line}", response={202: DeliveryAccepted, **ERRORS}, auth=None,
             openapi_extra=FORM_BODY)
def receive_twilio_status_callback(request, line: str):
    """Twilio's voice status callback for the phone line `line`, form-encoded and signed with the
    line's auth token in `X-Twilio-Signature`. A wrong signature is refused (403) before anything
    is read or written; an authentic delivery is stored as it came, then the worker joins the
    call to its caller's open phone issue or opens one. Twilio's retries change nothing."""
    found = find_phone_line(line)
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > settings.CALL_WEBHOOK_MAX_BYTES:
        raise PayloadTooLarge(f"Call webhooks are limited to {settings.CALL_WEBHOOK_MAX_BYTES} bytes")
    body = request.body
    try:
        params = read_form(body)
    except ValueError:
        params = None
    token = (open_token(found.auth_token_sealed) if found else None) or ""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not is_signed(token, _request_urls(request), params or [], signature):
        raise PermissionDenied("The X-Twilio-Signature does not match this phone line's auth token",
                               {"X-Twilio-Signature": "invalid or missing"})
    if len(body) > settings.CALL_WEBHOOK_MAX_BYTES:
        raise PayloadTooLarge(f"Call webhooks are limited to {settings.CALL_WEBHOOK_MAX_BYTES} bytes")
    # A malformed form is the sender's bad request (ActionError: 400), kept all the same.
    if params is None:
        do_receive_call_delivery(found, raw=body, status=InboundStatus.QUARANTINED, reason="not a form")
        raise ActionError("The body is not application/x-www-form-urlencoded", {"body": "not a form"})
    try:
        callback = read_status_callback(params)
    except MalformedCallback as error:
        sid = dict(params).get("CallSid", "")
        do_receive_call_delivery(found, raw=body, call_sid=sid[:64] if sid.isalnum() else "",
                                 status=InboundStatus.QUARANTINED, reason=str(error).replace("\x00", ""))
        raise ActionError("Not a Twilio voice status callback", error.fields) from None
    # A <Dial> leg is filed under the call that dialed it: it waits for that call and wakes with it.
    delivery = do_receive_call_delivery(found, raw=body, call_sid=callback.about_call_sid)
    return Status(202, {"id": delivery.pk, "status": delivery.status})

