"""Twilio's voice status callback: the signature checked before anything else, the delivery
stored first, one call per CallSid however often Twilio retries, the caller's open phone issue
joined or opened, the recording link added when it comes."""

import pytest

from tests.calls.helpers import AUTH_TOKEN, make_phone_line, sign, status_callback, webhook_url
from tests.factories import make_contact
from tierline.calls.models import Call, CallDelivery
from tierline.customers.models import Contact
from tierline.issues.models import Channel, EventKind, Issue, IssueEvent, Status

pytestmark = pytest.mark.django_db


def test_a_call_from_a_known_contact_opens_a_phone_issue(post_callback, org):
    contact = make_contact(org, name="Dana Diaz", phone="(415) 555-0100")
    line = make_phone_line()
    response = post_callback(line, status_callback(RecordingUrl="https://api.twilio.com/rec/RE1"))
    assert response.status_code == 202, response.content
    call = Call.objects.get()
    issue = call.issue
    assert (issue.channel, issue.requester, issue.organization) == (Channel.PHONE, contact, org)
    assert issue.title == "Call from ••••••0100"  # everyone who sees the issue sees its title: no name
    assert (call.outcome, call.duration_seconds, call.line, call.recording_url) == (
        "answered", 185, line, "https://api.twilio.com/rec/RE1")
    delivery = CallDelivery.objects.get()
    assert (delivery.status, delivery.call) == ("processed", call)
    assert b"CallSid" in bytes(delivery.raw)


def test_the_next_call_joins_the_callers_open_phone_issue(post_callback, org):
    make_contact(org, phone="+14155550100")
    line = make_phone_line()
    post_callback(line, status_callback())
    first_seen = Issue.objects.get().updated_at
    post_callback(line, status_callback())
    assert Issue.objects.count() == 1 and Call.objects.count() == 2
    issue = Issue.objects.get()
    assert issue.updated_at > first_seen  # the call updates its issue (the queue sorts by it)
    assert issue.events.filter(kind=EventKind.CALL_LOGGED).count() == 2
    issue.status = Status.RESOLVED
    Issue.objects.filter(pk=issue.pk).update(status=Status.RESOLVED)
    post_callback(line, status_callback())
    assert Issue.objects.count() == 2  # a resolved conversation is over: a new call opens a new one


def test_twilio_retries_change_nothing(post_callback, org):
    line = make_phone_line()
    form = status_callback()
    assert post_callback(line, form).status_code == 202
    assert post_callback(line, form).status_code == 202
    assert Call.objects.count() == 1 and Issue.objects.count() == 1
    assert IssueEvent.objects.filter(kind=EventKind.CALL_LOGGED).count() == 1
    retry = CallDelivery.objects.order_by("id").last()
    assert retry.status == "ignored" and "retry of delivery" in retry.reason


def test_later_reports_of_one_call_update_it(post_callback, org):
    make_contact(org, phone="+14155550100")
    line = make_phone_line()
    sid = "CA" + "7" * 32
    post_callback(line, status_callback(CallSid=sid, CallStatus="ringing", CallDuration=None))
    call = Call.objects.get()
    assert call.outcome == "in_progress"
    post_callback(line, status_callback(CallSid=sid, CallStatus="completed", CallDuration="65", SequenceNumber="2"))
    post_callback(line, status_callback(CallSid=sid, CallStatus="completed", CallDuration="65", SequenceNumber="3",
                                        RecordingUrl="https://api.twilio.com/rec/RE9"))
    call.refresh_from_db()
    assert (call.outcome, call.duration_seconds, call.recording_url) == ("answered", 65, "https://api.twilio.com/rec/RE9")
    changes = [e.data["change"] for e in call.issue.events.filter(kind=EventKind.CALL_LOGGED).order_by("id")]
    assert changes == ["logged", "ended", "recording"]
    assert Call.objects.count() == 1


def test_an_agents_outcome_is_not_overwritten_by_the_provider(post_callback, org):
    line = make_phone_line()
    sid = "CA" + "8" * 32
    post_callback(line, status_callback(CallSid=sid, CallStatus="in-progress", CallDuration=None))
    Call.objects.filter(external_id=sid).update(outcome="resolved")
    post_callback(line, status_callback(CallSid=sid, CallStatus="completed"))
    assert Call.objects.get().outcome == "resolved"


def test_unknown_caller_on_a_customers_line_becomes_their_contact(post_callback, org):
    line = make_phone_line(organization=org)
    post_callback(line, status_callback(From="+14155550177", CallerName="Sam Smith"))
    contact = Contact.objects.get(phone="+14155550177")
    assert (contact.organization, contact.name) == (org, "Sam Smith")
    assert contact.email.endswith(".invalid")  # never mailed
    assert Issue.objects.get().requester == contact


def test_unknown_caller_elsewhere_is_an_issue_with_the_number(post_callback):
    line = make_phone_line()
    post_callback(line, status_callback(From="+14155550188"))
    post_callback(line, status_callback(From="+1 415 555 0188"))
    assert not Contact.objects.exists()
    issue = Issue.objects.get()
    assert issue.requester is None and issue.calls.count() == 2
    assert issue.title.startswith("Call from") and issue.title.endswith("0188")


def test_anonymous_callers_still_get_an_issue(post_callback):
    post_callback(make_phone_line(), status_callback(From="anonymous"))
    assert Call.objects.get().caller_number == "anonymous"


def test_outbound_calls_are_about_the_number_called(post_callback, org):
    contact = make_contact(org, phone="+442079460958")
    post_callback(make_phone_line(), status_callback(Direction="outbound-api", From="+18005550199",
                                                     To="+442079460958"))
    call = Call.objects.get()
    assert (call.direction, call.contact, call.issue.title) == ("outbound", contact, "Call to ••••••0958")


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl", "wrong-token", "other-url", "changed-body"])
def test_a_bad_signature_is_refused_and_writes_nothing(post_callback, org, signature):
    line = make_phone_line()
    form = status_callback()
    value = {
        "wrong-token": sign(line, form, auth_token="not-the-token"),
        "other-url": sign(line, form, url=webhook_url(line) + "x"),
        "changed-body": sign(line, {**form, "From": "+19995550100"}),
    }.get(signature, signature)
    response = post_callback(line, form, signature=value)
    assert response.status_code == 403
    assert response.json() == {"detail": "The X-Twilio-Signature does not match this phone line's auth token",
                               "fields": {"X-Twilio-Signature": "invalid or missing"}}
    assert not CallDelivery.objects.exists() and not Call.objects.exists() and not Issue.objects.exists()


def test_unknown_and_inactive_lines_are_refused(post_callback):
    line = make_phone_line()
    form = status_callback()
    assert post_callback(line, form, slug="no-such-line").status_code == 403
    line.is_active = False
    line.save()
    assert post_callback(line, form).status_code == 403
    assert not CallDelivery.objects.exists()


@pytest.mark.parametrize("missing", ["CallSid", "From", "To", "CallStatus"])
def test_missing_fields_are_a_bad_request_kept_in_quarantine(post_callback, missing):
    line = make_phone_line()
    form = {k: v for k, v in status_callback().items() if k != missing}
    response = post_callback(line, form)
    assert response.status_code == 400
    assert response.json()["fields"] == {missing: "required"}
    delivery = CallDelivery.objects.get()
    assert delivery.status == "quarantined" and missing in delivery.reason
    assert not Call.objects.exists()


def test_bad_values_are_a_bad_request(post_callback):
    line = make_phone_line()
    response = post_callback(line, status_callback(CallStatus="exploded", CallDuration="long"))
    assert response.status_code == 400 and set(response.json()["fields"]) == {"CallStatus", "CallDuration"}


def test_a_body_that_is_no_form(post_callback):
    line = make_phone_line()
    body = b'{"CallSid": "CA1"}'
    forged = sign(line, {"CallSid": "CA1"})
    assert post_callback(line, {}, body=body, content_type="application/json", signature=forged).status_code == 403
    # Signed over no parameters at all (the URL alone): authentic, but no form.
    response = post_callback(line, {}, body=b"\xff\xfe", signature=sign(line, {}))
    assert response.status_code == 400 and CallDelivery.objects.get().status == "quarantined"


def test_a_huge_body_is_refused_before_it_is_read(post_callback, settings):
    line = make_phone_line()
    form = status_callback(Padding="x" * (settings.CALL_WEBHOOK_MAX_BYTES + 1))
    response = post_callback(line, form)
    assert response.status_code == 413
    assert not CallDelivery.objects.exists()


def test_the_public_url_behind_a_proxy_is_what_twilio_signs(post_callback, settings):
    settings.BASE_URL = "https://support.example.com"
    line = make_phone_line()
    form = status_callback()
    signature = sign(line, form, url=f"https://support.example.com/api/v1/calls/twilio/{line.slug}")
    assert post_callback(line, form, signature=signature).status_code == 202
    assert AUTH_TOKEN not in bytes(CallDelivery.objects.get().raw).decode()


def test_a_report_that_loses_the_race_to_create_its_call_updates_it(post_callback, monkeypatch):
    from django.db import IntegrityError

    from tierline.calls import webhook

    original, attempts = webhook.apply_delivery, []

    def racing(delivery):
        attempts.append(delivery.pk)
        if len(attempts) == 1:
            raise IntegrityError("UNIQUE constraint failed: calls_call.external_id")
        return original(delivery)

    monkeypatch.setattr(webhook, "apply_delivery", racing)
    assert post_callback(make_phone_line(), status_callback()).status_code == 202
    assert len(attempts) == 2 and CallDelivery.objects.get().status == "processed" and Call.objects.count() == 1


def test_our_call_to_an_unknown_number_does_not_name_them_after_us(post_callback, org):
    line = make_phone_line(organization=org)
    post_callback(line, status_callback(Direction="outbound-api", From="+18005550199", To="+14155550177",
                                        CallerName="ACME SUPPORT"))  # CallerName is the caller's: ours
    assert Contact.objects.get(phone="+14155550177").name == ""
