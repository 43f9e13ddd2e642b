"""Phone lines and signed Twilio status callbacks for the calls tests and the role table."""

import itertools
from urllib.parse import urlencode

from django.conf import settings

from tierline.calls.actions import do_create_phone_line
from tierline.calls.twilio import compute_signature

_seq = itertools.count(1)
AUTH_TOKEN = "twilio-auth-token-for-tests"


def make_phone_line(organization=None, slug: str | None = None, auth_token: str = AUTH_TOKEN):
    return do_create_phone_line(actor=None, slug=slug or f"support-line-{next(_seq)}", auth_token=auth_token,
                                organization=organization)


def status_callback(**fields) -> dict:
    """A completed inbound call as Twilio reports it; keyword arguments change or add fields."""
    form = {
        "AccountSid": "AC0123456789abcdef0123456789abcdef", "ApiVersion": "2010-04-01",
        "CallSid": f"CA{next(_seq):032d}", "From": "+14155550100", "To": "+18005550199",
        "CallStatus": "completed", "Direction": "inbound", "CallDuration": "185",
        "CallbackSource": "call-progress-events",
        "Timestamp": "Fri, 27 Nov 2026 10:00:00 +0000", "SequenceNumber": "0",
    }
    form.update(fields)
    return {k: v for k, v in form.items() if v is not None}


def webhook_url(line) -> str:
    return f"{settings.BASE_URL}/api/v1/calls/twilio/{line.slug}"


def sign(line, form: dict, auth_token: str = AUTH_TOKEN, url: str | None = None) -> str:
    return compute_signature(auth_token, url or webhook_url(line), sorted(form.items()))


def encode(form: dict) -> bytes:
    return urlencode(form).encode()


def make_calls_ids() -> dict:
    """A phone line, as a URL part for the role table."""
    return {"line": make_phone_line().slug}
