"""Twilio's voice status callback, without Twilio's library: the request signature and the
callback's fields. Pure functions; nothing here touches the database.

Twilio signs each request with `X-Twilio-Signature`: the base64 HMAC-SHA1, under the account's
auth token, of the full URL it called followed by every POST parameter, sorted by name, as name
and value with no separators. The status callback is application/x-www-form-urlencoded with
CallSid, From, To, CallStatus, Direction (inbound; outbound-api or outbound-dial for a call the
company placed), Timestamp (when the reported event happened) and, once the call ended,
CallDuration and RecordingUrl.
A call an agent places from a browser phone (Twilio Client, through a TwiML App) comes in two
legs: the agent's own leg, `From` `client:<identity>` (Twilio says `inbound`: it reached Twilio
from the browser), and the leg its `<Dial>` places to the customer, `outbound-dial` with the
agent's leg as `ParentCallSid`. Every `<Dial>` leg is reported that way, also the one that
forwards a customer's inbound call to an agent.
A recording status callback (RecordingSid, RecordingUrl, RecordingStatus, no CallStatus) only
adds the recording to a call already reported.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlsplit, urlunsplit

FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})
STATUSES = FINAL_STATUSES | {"queued", "initiated", "ringing", "in-progress"}
REQUIRED = ("CallSid", "From", "To", "CallStatus")
BROWSER_PHONE = "client:"  # Twilio's scheme for a Client (Voice SDK) identity in From and To
MAX_CALL_SECONDS = 7 * 24 * 3600


def read_form(body: bytes) -> list[tuple[str, str]]:
    """The POST parameters as sent, in order; ValueError when the body is no form."""
    text = body.decode("utf-8")  # UnicodeDecodeError is a ValueError
    return parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=200)


def compute_signature(auth_token: str, url: str, params: list[tuple[str, str]]) -> str:
    signed = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _with_and_without_port(url: str) -> list[str]:
    # Twilio may sign the URL with or without an explicit default port (443/80); accept both.
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    if parts.port:
        return [url, urlunsplit(parts._replace(netloc=host))]
    return [url, urlunsplit(parts._replace(netloc=f"{host}:{default}"))] if default else [url]


def is_signed(auth_token: str, urls: list[str], params: list[tuple[str, str]], signature: str) -> bool:
    """Constant-time check of the signature against each URL the request may have been sent to."""
    if not auth_token or not signature:
        return False
    given = signature.strip().encode()
    candidates = [u for url in urls for u in _with_and_without_port(url)]
    return any(hmac.compare_digest(compute_signature(auth_token, u, params).encode(), given) for u in candidates)


@dataclass(frozen=True)
class StatusCallback:
    call_sid: str
    from_number: str
    to_number: str
    status: str
    direction: str  # inbound or outbound
    duration_seconds: int | None
    recording_url: str
    caller_name: str
    is_recording_only: bool = False
    parent_call_sid: str = ""  # set on the legs a <Dial> places: the call that dialed them
    timestamp: datetime | None = None  # when the reported event happened, by Twilio's clock

    @property
    def is_from_browser_phone(self) -> bool:
        """An agent's call from a browser phone: the company's call, whatever Direction says."""
        return self.from_number.lower().startswith(BROWSER_PHONE)

    @property
    def is_to_browser_phone(self) -> bool:
        return self.to_number.lower().startswith(BROWSER_PHONE)

    @property
    def about_call_sid(self) -> str:
        """The call this report belongs to: a `<Dial>` leg belongs to the call that dialed it."""
        return self.parent_call_sid or self.call_sid

    @property
    def customer_number(self) -> str:
        return self.from_number if self.direction == "inbound" else self.to_number

    @property
    def has_ended(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def started_at(self) -> datetime | None:
        """When the call began as far as this report tells: the report's time, less the call's
        length once it ended (a call reported only when it is over did not start then)."""
        if self.timestamp is None:
            return None
        return self.timestamp - timedelta(seconds=self.duration_seconds or 0)


class MalformedCallback(ValueError):
    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def read_status_callback(params: list[tuple[str, str]]) -> StatusCallback:
    """The callback's fields, checked; MalformedCallback names each wrong one."""
    form = dict(params)
    if form.get("RecordingSid") and not form.get("CallStatus"):
        return _read_recording_callback(form, params)
    # A browser phone's leg may have no To: the number it dials is in its `<Dial>` leg's To.
    from_browser = form.get("From", "").strip().lower().startswith(BROWSER_PHONE)
    problems = {name: "required" for name in REQUIRED
                if not form.get(name, "").strip() and not (name == "To" and from_browser)}
    problems.update({name: "must not contain NUL characters" for name, value in params if "\x00" in value + name})
    sid = form.get("CallSid", "").strip()
    if sid and (len(sid) > 64 or not sid.isalnum()):
        problems["CallSid"] = "letters and digits, at most 64"
    parent = form.get("ParentCallSid", "").strip()
    if parent and (len(parent) > 64 or not parent.isalnum() or parent == sid):
        problems["ParentCallSid"] = "another call's CallSid: letters and digits, at most 64"
    status = form.get("CallStatus", "").strip().lower()
    if status and status not in STATUSES:
        problems["CallStatus"] = f"one of {', '.join(sorted(STATUSES))}"
    duration = form.get("CallDuration", "").strip()
    if duration and not (duration.isdigit() and int(duration) <= MAX_CALL_SECONDS):
        problems["CallDuration"] = "whole seconds"
    recording = form.get("RecordingUrl", "").strip()
    problems.update(_check_recording_url(recording))
    for name in ("From", "To"):
        if len(form.get(name, "")) > 64:
            problems[name] = "at most 64 characters"
    if problems:
        raise MalformedCallback(problems)
    direction = form.get("Direction", "inbound").strip().lower()
    return StatusCallback(
        call_sid=sid, from_number=form["From"].strip(), to_number=form.get("To", "").strip(), status=status,
        direction="outbound" if direction.startswith("outbound") or from_browser else "inbound",
        duration_seconds=int(duration) if duration else None, recording_url=recording,
        caller_name=form.get("CallerName", "").strip()[:200],
        parent_call_sid=parent,
        timestamp=_read_timestamp(form.get("Timestamp", "")),
    )


def _read_timestamp(text: str) -> datetime | None:
    # RFC 2822 ("Fri, 27 Nov 2026 10:00:00 +0000"). Only a better start time than our own clock's
    # at processing: one we cannot read is left out, not a reason to refuse the call.
    try:
        stamp = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)  # "-0000": UTC, RFC 2822


def _check_recording_url(url: str) -> dict[str, str]:
    if url and (len(url) > 500 or urlsplit(url).scheme not in ("https", "http")):
        return {"RecordingUrl": "an http(s) URL of at most 500 characters"}
    return {}


def _read_recording_callback(form: dict, params: list[tuple[str, str]]) -> StatusCallback:
    sid, recording = form.get("CallSid", "").strip(), form.get("RecordingUrl", "").strip()
    problems = {name: "must not contain NUL characters" for name, value in params if "\x00" in value + name}
    if not sid or len(sid) > 64 or not sid.isalnum():
        problems["CallSid"] = "required: letters and digits, at most 64"
    if form.get("RecordingStatus", "completed") == "completed" and not recording:
        problems["RecordingUrl"] = "required when the recording is completed"
    problems.update(_check_recording_url(recording))
    if problems:
        raise MalformedCallback(problems)
    return StatusCallback(call_sid=sid, from_number="", to_number="", status="", direction="inbound",
                          duration_seconds=None, recording_url=recording, caller_name="", is_recording_only=True)
