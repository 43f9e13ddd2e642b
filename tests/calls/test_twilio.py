"""Twilio's request signature and status callback fields, without the database."""

from datetime import datetime

import pytest

from tierline.calls.numbers import mask_number, normalise_number
from tierline.calls.twilio import MalformedCallback, compute_signature, is_signed, read_form, read_status_callback

# The example of Twilio's security documentation and its helper libraries' tests.
TWILIO_EXAMPLE = ("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
                  [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"),
                   ("From", "+12349013030"), ("To", "+18005551212")], "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")


def test_signature_matches_twilios_published_example():
    token, url, params, expected = TWILIO_EXAMPLE
    assert compute_signature(token, url, params) == expected
    assert compute_signature(token, url, list(reversed(params))) == expected  # order of the form is irrelevant
    assert is_signed(token, [url], params, expected)


def test_signature_refuses_any_change():
    token, url, params, expected = TWILIO_EXAMPLE
    assert not is_signed("54321", [url], params, expected)
    assert not is_signed(token, [url.replace("bar=2", "bar=3")], params, expected)
    assert not is_signed(token, [url], [*params[:-1], ("To", "+18005551213")], expected)
    assert not is_signed(token, [url], params, "")
    assert not is_signed("", [url], params, expected)


def test_signature_with_or_without_the_default_port():
    token, url, params, _ = TWILIO_EXAMPLE
    with_port = compute_signature(token, "https://mycompany.com:443/myapp.php?foo=1&bar=2", params)
    assert is_signed(token, [url], params, with_port)
    assert is_signed(token, ["https://mycompany.com:443/myapp.php?foo=1&bar=2"], params,
                     compute_signature(token, url, params))


def test_read_form_refuses_what_is_no_form():
    assert read_form(b"") == []
    assert read_form(b"CallSid=CA1&From=%2B1415") == [("CallSid", "CA1"), ("From", "+1415")]
    for body in (b"\xff\xfe", b'{"CallSid": "CA1"}', b"&".join([b"a=b"] * 300)):
        with pytest.raises(ValueError):
            read_form(body)


def test_status_callback_fields():
    callback = read_status_callback([("CallSid", "CA1"), ("From", "+14155550100"), ("To", "+18005550199"),
                                     ("CallStatus", "completed"), ("Direction", "outbound-api"),
                                     ("CallDuration", "42"), ("RecordingUrl", "https://api.twilio.com/rec/RE1")])
    assert (callback.direction, callback.customer_number, callback.duration_seconds) == ("outbound", "+18005550199", 42)
    assert callback.has_ended and callback.recording_url.endswith("RE1")


CALL = [("CallSid", "CA1"), ("From", "+14155550100"), ("To", "+18005550199"), ("Direction", "outbound-api")]


@pytest.mark.parametrize("fields,started_at", [
    # Reported as it began: the report's time; reported once over: its time less the call's length.
    ([("CallStatus", "initiated"), ("Timestamp", "Fri, 27 Nov 2026 10:00:00 +0000")], "2026-11-27T10:00:00+00:00"),
    ([("CallStatus", "completed"), ("CallDuration", "185"), ("Timestamp", "Fri, 27 Nov 2026 11:03:05 +0100")],
     "2026-11-27T10:00:00+00:00"),
    ([("CallStatus", "completed"), ("CallDuration", "60"), ("Timestamp", "Fri, 27 Nov 2026 10:01:00 -0000")],
     "2026-11-27T10:00:00+00:00"),
    # No time, or one that cannot be read: the call is still read, started when it is processed.
    ([("CallStatus", "completed"), ("CallDuration", "60")], None),
    ([("CallStatus", "completed"), ("Timestamp", "yesterday at ten")], None),
    ([("CallStatus", "completed"), ("Timestamp", "Fri, 31 Nov 2026 10:00:00 +0000")], None),
])
def test_when_a_reported_call_started(fields, started_at):
    callback = read_status_callback(CALL + fields)
    expected = datetime.fromisoformat(started_at) if started_at else None
    assert callback.started_at == expected


def test_malformed_status_callback_names_each_field():
    with pytest.raises(MalformedCallback) as caught:
        read_status_callback([("CallSid", "CA 1;drop"), ("CallStatus", "exploded"), ("CallDuration", "-3"),
                              ("RecordingUrl", "javascript:alert(1)")])
    assert set(caught.value.fields) == {"CallSid", "From", "To", "CallStatus", "CallDuration", "RecordingUrl"}


def test_numbers_are_normalised_and_masked(settings):
    settings.PHONE_REGION = "US"
    assert normalise_number("(415) 555-0100") == normalise_number("+1 415 555 0100") == "+14155550100"
    assert normalise_number("+44 20 7946 0958") == "+442079460958"
    assert normalise_number("anonymous") is None and normalise_number("client:alice") is None
    assert normalise_number("1" * 80) is None
    assert mask_number("+14155550100").endswith("0100") and "415" not in mask_number("+14155550100")
