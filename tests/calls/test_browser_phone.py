"""Calls with two legs, as Twilio reports them: an agent's call from a browser phone (Twilio
Client) is one outbound call to the customer, whatever order its legs' callbacks arrive in and
however often Twilio retries them; the leg that forwards a customer's call to an agent is never
a second call."""

import itertools
from datetime import UTC, timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone

from tests.calls.helpers import make_phone_line, status_callback
from tests.factories import make_contact, make_issue
from tierline.calls.models import Call, CallDelivery
from tierline.calls.tasks import process_call_delivery
from tierline.customers.models import Contact
from tierline.issues.models import Channel, EventKind, Issue

pytestmark = pytest.mark.django_db
AGENT_LEG = "CA" + "a1" * 16
CUSTOMER_LEG = "CA" + "b2" * 16
CUSTOMER, COMPANY = "+14155550100", "+18005550199"


def twilio_time(at) -> str:
    return format_datetime(at.astimezone(UTC))


@pytest.fixture
def scheduled(monkeypatch):
    """The delayed re-reads the worker would run: (delivery id, delay in seconds)."""
    calls = []
    monkeypatch.setattr(process_call_delivery, "schedule", lambda args, delay: calls.append((*args, delay)))
    return calls


@pytest.fixture
def phone_issue(org):
    """The customer's open phone issue, from an hour ago: the agent calls them back about it."""
    dana = make_contact(org, phone="(415) 555-0100")
    return make_issue(org, requester=dana, channel=Channel.PHONE,
                      at=timezone.now().replace(microsecond=0) - timedelta(hours=1))


def browser_call(ended, *, talked=240, customer_status="completed"):
    """The reports of one browser-phone call that ended at `ended`: the agent's leg (TwiML App
    status callback: From client:, no To, Direction inbound) and the leg its <Dial> placed to
    the customer (<Number statusCallback>), ringing then ended."""
    rang = ended - timedelta(seconds=talked + 15)
    agent = status_callback(CallSid=AGENT_LEG, From="client:alice", Caller="client:alice", To="", Called="",
                            Direction="inbound", CallDuration=str(talked + 20), ApplicationSid="AP" + "c3" * 16,
                            Timestamp=twilio_time(ended + timedelta(seconds=2)))
    leg = dict(CallSid=CUSTOMER_LEG, ParentCallSid=AGENT_LEG, Direction="outbound-dial", From=COMPANY,
               To=CUSTOMER)
    ringing = status_callback(**leg, CallStatus="ringing", CallDuration=None, SequenceNumber="1",
                              Timestamp=twilio_time(rang))
    over = status_callback(**leg, CallStatus=customer_status, SequenceNumber="3",
                           CallDuration=str(talked if customer_status == "completed" else 0),
                           Timestamp=twilio_time(ended))
    return {"agent": agent, "ringing": ringing, "over": over}


ORDERS = [
    ("ringing", "over", "agent"),  # how Twilio usually sends them: the agent's leg ends last
    ("agent", "ringing", "over"),
    ("over", "agent", "ringing"),  # retried and overtaken
    ("agent", "over", "over", "ringing", "agent"),  # with Twilio's retries
]


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(o) for o in ORDERS])
def test_an_agents_browser_call_is_one_outbound_call_that_answers_the_customer(
        phone_issue, post_callback, scheduled, order):
    ended = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    reports, line = browser_call(ended), make_phone_line()
    for name in order:
        assert post_callback(line, reports[name]).status_code == 202
    call = Call.objects.get()
    assert (call.issue, call.direction, call.caller_number, call.contact) == (
        phone_issue, "outbound", CUSTOMER, phone_issue.requester)
    assert (call.external_id, call.provider_status, call.outcome, call.duration_seconds) == (
        AGENT_LEG, "completed", "answered", 240)
    # The customer's talk on their leg is the response, at the time it began.
    phone_issue.refresh_from_db()
    assert phone_issue.first_response_at == call.started_at == ended - timedelta(seconds=240)
    assert not Contact.objects.filter(phone__icontains="client").exists() and Contact.objects.count() == 1
    assert Issue.objects.count() == 1
    assert {d.status for d in CallDelivery.objects.all()} <= {"processed", "ignored"}
    changes = [e.data["change"] for e in phone_issue.events.filter(kind=EventKind.CALL_LOGGED).order_by("id")]
    # Logged once; "ended" follows when the call was first known before it ended.
    assert changes in (["logged"], ["logged", "ended"])


def test_the_customer_who_did_not_answer_was_not_answered(phone_issue, post_callback, scheduled):
    reports = browser_call(timezone.now() - timedelta(minutes=5), customer_status="no-answer")
    line = make_phone_line()
    for name in ("ringing", "over", "agent"):  # the agent's leg still ends "completed", with a length
        post_callback(line, reports[name])
    call = Call.objects.get()
    assert (call.outcome, call.provider_status, call.duration_seconds) == ("no_answer", "no-answer", 0)
    phone_issue.refresh_from_db()
    assert phone_issue.first_response_at is None


def test_a_browser_call_to_a_number_without_an_open_issue_opens_one_to_that_number(org, post_callback, scheduled):
    line = make_phone_line(organization=org)  # a customer's line: an unknown number becomes their contact
    reports = browser_call(timezone.now() - timedelta(minutes=5))
    for name in ("agent", "ringing", "over"):
        post_callback(line, reports[name])
    issue = Issue.objects.get()
    assert issue.title == "Call to ••••••0100" and issue.first_response_at is None  # it answered nothing asked
    assert list(Contact.objects.values_list("phone", flat=True)) == [CUSTOMER]


def test_the_agents_leg_may_name_the_customer_itself(phone_issue, post_callback):
    """With `device.connect({params: {To: ...}})` the agent's leg carries the number: the call is
    known at once, and waits for its customer leg to say how it went."""
    report = browser_call(timezone.now())["agent"]
    post_callback(make_phone_line(), {**report, "To": "+1 415 555 0100"})
    call = Call.objects.get()
    assert (call.issue, call.caller_number, call.direction, call.outcome) == (
        phone_issue, CUSTOMER, "outbound", "in_progress")


def test_a_browser_call_waits_for_its_customer_leg_and_never_opens_an_issue_for_the_agent(post_callback, scheduled):
    line = make_phone_line()
    post_callback(line, browser_call(timezone.now())["agent"])
    delivery = CallDelivery.objects.get()
    assert delivery.status == "pending" and f"the leg to the customer of call {AGENT_LEG}" in delivery.reason
    assert scheduled and not Call.objects.exists() and not Issue.objects.exists() and not Contact.objects.exists()


def test_the_recording_of_a_browser_call_comes_on_the_agents_leg(phone_issue, post_callback, scheduled):
    line = make_phone_line()
    reports = browser_call(timezone.now() - timedelta(minutes=5))
    post_callback(line, reports["over"])
    post_callback(line, {"AccountSid": "AC" + "0" * 32, "CallSid": AGENT_LEG, "RecordingSid": "RE" + "1" * 32,
                         "RecordingUrl": "https://api.twilio.com/rec/RE1", "RecordingStatus": "completed"})
    post_callback(line, reports["agent"])
    assert Call.objects.get().recording_url == "https://api.twilio.com/rec/RE1"


def forwarded_call(ended, agent_phone="+14155559999"):
    """A customer's call to the company that a <Dial> forwards to an agent's phone."""
    parent = status_callback(CallSid=AGENT_LEG, From=CUSTOMER, To=COMPANY, Direction="inbound",
                             Timestamp=twilio_time(ended))
    leg = status_callback(CallSid=CUSTOMER_LEG, ParentCallSid=AGENT_LEG, Direction="outbound-dial", From=CUSTOMER,
                          To=agent_phone, CallDuration="170", Timestamp=twilio_time(ended))
    return parent, leg


@pytest.mark.parametrize("leg_first", [True, False], ids=["leg-first", "call-first"])
@pytest.mark.parametrize("agent_phone", ["+14155559999", "client:alice"])
def test_the_leg_forwarding_a_customers_call_to_an_agent_is_not_a_second_call(
        org, post_callback, scheduled, leg_first, agent_phone):
    make_contact(org, phone=CUSTOMER)
    parent, leg = forwarded_call(timezone.now(), agent_phone)
    line = make_phone_line()
    for form in ([leg, parent, leg] if leg_first else [parent, leg, leg]):
        post_callback(line, form)
    call = Call.objects.get()
    assert (call.direction, call.caller_number, call.external_id, call.duration_seconds) == (
        "inbound", CUSTOMER, AGENT_LEG, 185)
    assert Issue.objects.count() == 1 and Contact.objects.count() == 1
    assert call.issue.first_response_at is None
    statuses = sorted(CallDelivery.objects.values_list("status", flat=True))
    assert statuses == ["ignored", "ignored", "processed"]


def test_a_leg_never_joins_a_call_of_another_phone_line(phone_issue, post_callback, scheduled):
    reports = browser_call(timezone.now() - timedelta(minutes=5))
    post_callback(make_phone_line(), reports["agent"])
    post_callback(make_phone_line(), reports["over"])  # signed by another line's token
    assert not Call.objects.exists()
    assert set(CallDelivery.objects.values_list("status", flat=True)) == {"pending"}


@pytest.mark.parametrize("fields,bad", [
    ({"ParentCallSid": "CA1' OR '1'='1"}, "ParentCallSid"),
    ({"ParentCallSid": "CA" + "9" * 80}, "ParentCallSid"),
    ({"ParentCallSid": CUSTOMER_LEG}, "ParentCallSid"),  # its own parent
    ({"From": "+14155550100", "To": ""}, "To"),  # only a browser phone's leg may leave To empty
    ({"From": "client:" + "x" * 80}, "From"),
])
def test_a_malformed_leg_is_a_bad_request_kept_in_quarantine(post_callback, fields, bad):
    form = status_callback(**{"CallSid": CUSTOMER_LEG, "Direction": "outbound-dial", "From": COMPANY, "To": CUSTOMER,
                              **fields})
    response = post_callback(make_phone_line(), form)
    assert response.status_code == 400 and bad in response.json()["fields"]
    assert CallDelivery.objects.get().status == "quarantined" and not Call.objects.exists()


def test_every_order_of_a_browser_calls_reports_ends_the_same(phone_issue, post_callback, scheduled):
    ended = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    reports = browser_call(ended)
    results = set()
    for order in itertools.permutations(reports):
        Call.objects.all().delete()
        line = make_phone_line()
        for name in order:
            post_callback(line, reports[name])
        call = Call.objects.get()
        results.add((call.external_id, call.caller_number, call.outcome, call.duration_seconds, call.started_at))
    assert results == {(AGENT_LEG, CUSTOMER, "answered", 240, ended - timedelta(seconds=240))}
