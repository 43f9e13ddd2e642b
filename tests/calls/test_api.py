"""The calls API: list and log calls on an issue, open an issue from a call, phone lines."""

import pytest

from tests.factories import make_contact, make_customer, make_issue, make_staff
from tierline.calls.models import PhoneLine
from tierline.calls.tokens import open_token
from tierline.customers.sensitivity import MASK
from tierline.issues.models import EventKind

pytestmark = pytest.mark.django_db
CALL = {"direction": "inbound", "caller_number": "+1 415 555 0100", "outcome": "call_back",
        "duration_seconds": 95, "notes": "Will send logs"}


def test_log_and_list_calls(api_as, org, agent):
    contact = make_contact(org, name="Dana Diaz", phone="415.555.0100")
    issue = make_issue(org, requester=contact)
    api = api_as(agent)
    response = api.post(f"/issues/{issue.key}/calls", CALL)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["contact"] == {"id": contact.pk, "name": MASK} and body["issue"] == issue.key
    assert "Dana" not in response.content.decode()  # a name is personal: masked without an unmask grant
    assert body["caller"].endswith("0100") and "415" not in body["caller"]
    assert body["logged_by"]["id"] == agent.pk
    listed = api.get(f"/issues/{issue.key}/calls").json()
    assert [c["id"] for c in listed] == [body["id"]] and listed[0]["notes"] == "Will send logs"


def test_logging_names_the_wrong_fields(api_as, org, agent):
    issue = make_issue(org)
    api = api_as(agent)
    for body, field in (({**CALL, "outcome": "great"}, "outcome"),
                        ({**CALL, "duration_seconds": "95"}, "duration_seconds"),
                        ({**CALL, "caller_number": "call me maybe"}, "caller_number"),
                        ({**CALL, "contact_id": 999999}, "contact_id")):
        response = api.post(f"/issues/{issue.key}/calls", body)
        assert response.status_code == 422 and field in response.json()["fields"], response.content
    assert not issue.events.filter(kind=EventKind.CALL_LOGGED).exists()


def test_customers_never_see_calls(api_as, org, other_org, agent):
    issue = make_issue(org)
    api_as(agent).post(f"/issues/{issue.key}/calls", CALL)
    assert api_as(make_customer(org)).get(f"/issues/{issue.key}/calls").status_code == 403
    assert api_as(make_customer(other_org)).get(f"/issues/{issue.key}/calls").status_code == 404
    assert api_as(make_customer(org)).post(f"/issues/{issue.key}/calls", CALL).status_code == 403


def test_open_an_issue_from_a_call(api_as, org, agent):
    contact = make_contact(org, phone="+1 (415) 555-0100")
    response = api_as(agent).post("/calls", {**CALL, "title": "Export fails", "severity": 2})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["issue"]["channel"] == "phone" and body["issue"]["requester"]["id"] == contact.pk
    assert body["issue"]["organization"]["id"] == org.pk and body["call"]["issue"] == body["issue"]["key"]


def test_phone_lines_keep_the_token_sealed(api_as, org, admin_user):
    response = api_as(admin_user).post("/calls/lines", {"slug": "Main Support", "auth_token": "tok-123",
                                                         "organization_id": org.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "main-support" and "tok-123" not in response.content.decode()
    assert body["status_callback_url"].endswith("/api/v1/calls/twilio/main-support")
    line = PhoneLine.objects.get()
    assert "tok-123" not in line.auth_token_sealed and open_token(line.auth_token_sealed) == "tok-123"
    assert api_as(admin_user).post("/calls/lines", {"slug": "main-support", "auth_token": "x"}).status_code == 422
    assert [li["slug"] for li in api_as(admin_user).get("/calls/lines").json()] == ["main-support"]
    assert api_as(make_staff("senior_engineer_t5")).get("/calls/lines").status_code == 403


def test_a_token_sealed_under_another_secret_key_opens_to_nothing(settings, admin_user):
    from tests.calls.helpers import make_phone_line

    line = make_phone_line()
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert open_token(line.auth_token_sealed) is None


def test_setting_a_lines_token_again(api_as, admin_user):
    from tests.calls.helpers import make_phone_line

    line = make_phone_line()
    response = api_as(admin_user).put(f"/calls/lines/{line.slug}/token", {"auth_token": "rotated"})
    assert response.status_code == 200 and "rotated" not in response.content.decode()
    line.refresh_from_db()
    assert open_token(line.auth_token_sealed) == "rotated"
    assert api_as(admin_user).put("/calls/lines/nope/token", {"auth_token": "x"}).status_code == 404


def test_listing_calls_costs_the_same_for_one_or_many(api_as, org, agent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    issue = make_issue(org)
    api = api_as(agent)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"/issues/{issue.key}/calls").status_code == 200
        return len(captured)

    make_contact(org, phone="+14155550101")
    api.post(f"/issues/{issue.key}/calls", {**CALL, "caller_number": "+14155550101"})
    one = queries()
    for n in range(2, 7):
        make_contact(org, phone=f"+1415555010{n}")
        api.post(f"/issues/{issue.key}/calls", {**CALL, "caller_number": f"+1415555010{n}"})
    assert queries() == one


def test_phone_lines_and_their_tokens_are_audited_without_the_token(api_as, org, admin_user):
    from tierline.audit.chain import verify_chain
    from tierline.audit.models import AuditEntry

    api = api_as(admin_user)
    line_id = api.post("/calls/lines", {"slug": "support", "auth_token": "first-secret-token",
                                        "organization_id": org.pk}).json()["id"]
    assert api.put("/calls/lines/support/token", {"auth_token": "rotated-secret-token"}).status_code == 200
    entries = list(AuditEntry.objects.filter(action__startswith="phone_line.").order_by("id"))
    assert [(e.action, e.actor, e.organization, e.target_type, e.target_id, e.data) for e in entries] == [
        ("phone_line.created", admin_user, org, "calls.phoneline", str(line_id),
         {"slug": "support", "provider": "twilio"}),
        ("phone_line.token_changed", admin_user, org, "calls.phoneline", str(line_id),
         {"slug": "support", "provider": "twilio"}),
    ]
    stored = repr([vars(e) for e in entries])
    assert "secret-token" not in stored and PhoneLine.objects.get().auth_token_sealed not in stored
    assert verify_chain().is_intact


def test_a_phone_line_is_not_kept_without_its_audit_entry(api_as, admin_user, monkeypatch):
    from tierline.calls import actions

    def broken(**kwargs):
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(actions, "do_record_audit", broken)
    with pytest.raises(RuntimeError):
        actions.do_create_phone_line(actor=admin_user, slug="support", auth_token="tok")
    assert not PhoneLine.objects.exists()
    line = PhoneLine.objects.create(slug="kept", auth_token_sealed=actions.seal_token("old"))
    with pytest.raises(RuntimeError):
        actions.do_set_phone_line_token(line, actor=admin_user, auth_token="new")
    line.refresh_from_db()
    assert open_token(line.auth_token_sealed) == "old"


def test_a_refused_token_writes_no_audit_entry(api_as, admin_user):
    from tierline.audit.models import AuditEntry

    api = api_as(admin_user)
    assert api.post("/calls/lines", {"slug": "support", "auth_token": " "}).status_code == 422
    assert not AuditEntry.objects.filter(action__startswith="phone_line.").exists()


def test_an_issue_opened_from_an_earlier_call_keeps_the_calls_time(api_as, org, agent):
    response = api_as(agent).post("/calls", {**CALL, "title": "Export fails", "direction": "outbound",
                                             "started_at": "2026-11-27T10:00:00Z"})
    assert response.status_code == 201, response.content
    assert response.json()["call"]["started_at"].startswith("2026-11-27T10:00:00")
