"""The obvious attacks, tried on every API endpoint (the rows of tests/test_authorization.py's
TABLE, which itself must list every endpoint): another organization's ids, missing and wrong
tokens, token scope escalation, and cross-site requests riding on a session. None succeeds."""

import itertools

import pytest
from django.test import Client

from tests.factories import make_contact, make_customer, make_issue, make_org, make_staff, make_unmask_grant
from tests.test_authorization import TABLE
from tierline.accounts.actions import do_create_api_token, do_revoke_api_token, do_update_user

pytestmark = pytest.mark.django_db
_unique = itertools.count(10_000)
SECRET_NAME = "Victim Holdings"
SECRET_TITLE = "Victim's confidential outage"
SECRET_EMAIL = "ceo@victim.example"
WRITES = [row for row in TABLE if row[0] != "get"]
# Webhooks that authenticate by their sender's signature answer 403 to a missing or wrong one.
SIGNED = {path for _, path, _, expectations in TABLE if expectations.get("anonymous") == 403}


def _ids(org, issue, contact, grant) -> dict:
    from tests.metrics.helpers import make_metric_ids

    ids = {"issue": issue.key, "org": org.pk, "contact": contact.pk, "grant": grant.pk, **make_metric_ids()}
    try:
        from tests.intake.helpers import make_intake_ids
    except ImportError:
        return ids
    from tests.calls.helpers import make_calls_ids

    return {**ids, **make_intake_ids(), **make_calls_ids()}


@pytest.fixture
def victim():
    org = make_org(name=SECRET_NAME, email_domains=["victim.example"], unmask_needs_approval=True)
    issue = make_issue(org, title=SECRET_TITLE)
    contact = make_contact(org, email=SECRET_EMAIL)
    return _ids(org, issue, contact, make_unmask_grant(org, issue))


class _Ids(dict):
    def __missing__(self, key):
        return 999_999  # an id no row has: the attack must still be refused, not crash


def _call(client: Client, method: str, path: str, body, ids: dict, headers=None):
    n = next(_unique)
    url = "/api/v1" + path.format_map(_Ids(ids))
    payload = {k: v.format(n=n, issue=ids["issue"]) if isinstance(v, str) else v for k, v in (body or {}).items()}
    if method == "get":
        return client.get(url, headers=headers or {})
    return getattr(client, method)(url, data=payload, content_type="application/json", headers=headers or {})


def _bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize("method,path,body", [(m, p, b) for m, p, b, _ in TABLE if "{" in p],
                         ids=[f"{m} {p}" for m, p, _, _ in TABLE if "{" in p])
def test_another_organizations_ids_reveal_and_change_nothing(victim, method, path, body):
    attacker = make_customer(make_org(name="Attacker Ltd", email_domains=["attacker.example"]))
    response = _call(Client(), method, path, body, victim, _bearer(do_create_api_token(attacker, scope="admin")[1]))
    assert response.status_code in (401, 403, 404), response.content
    text = response.content.decode()
    assert SECRET_NAME not in text and SECRET_TITLE not in text and SECRET_EMAIL not in text


@pytest.mark.parametrize("credential", ["none", "garbage", "unknown", "revoked", "inactive", "basic"])
@pytest.mark.parametrize("method,path,body", [(m, p, b) for m, p, b, _ in TABLE],
                         ids=[f"{m} {p}" for m, p, _, _ in TABLE])
def test_missing_and_wrong_tokens_are_refused(victim, credential, method, path, body):
    admin = make_staff("admin")
    secret = do_create_api_token(admin, scope="admin")[1]
    headers = {
        "none": {}, "garbage": {"Authorization": "Bearer ' OR 1=1 --"},
        "unknown": _bearer("tl_" + "A" * 43), "basic": {"Authorization": "Basic YWRtaW46YWRtaW4="},
    }.get(credential)
    if credential == "revoked":
        do_revoke_api_token(admin.api_tokens.get())
        headers = _bearer(secret)
    elif credential == "inactive":
        headers = _bearer(secret)
        do_update_user(admin, is_active=False)
        # A token made again while inactive: deactivation revokes old tokens, and new ones must not work.
        headers = _bearer(do_create_api_token(admin, scope="admin")[1])
    response = _call(Client(), method, path, body, victim, headers)
    assert response.status_code == (403 if path in SIGNED else 401), response.content


# The agents' endpoints take agent tokens, and keep a NUL of captured text as U+FFFD (tests/probes/test_wire.py).
TEXT_WRITES = [(m, p, b) for m, p, b, _ in WRITES if any(isinstance(v, str) for v in (b or {}).values())
               and not p.startswith("/agents/")]


@pytest.mark.parametrize("method,path,body", TEXT_WRITES, ids=[f"{m} {p}" for m, p, _ in TEXT_WRITES])
def test_nul_characters_in_any_text_field_are_refused_before_anything_is_stored(victim, method, path, body):
    # PostgreSQL text cannot hold NUL: reaching the database with one would be a 500, and lose the write.
    admin = do_create_api_token(make_staff("admin"), scope="admin")[1]
    poisoned = {k: v + "\x00" if isinstance(v, str) else v for k, v in body.items()}
    response = _call(Client(), method, path, poisoned, victim, _bearer(admin))
    assert response.status_code in (404, 422), response.content


@pytest.mark.parametrize("method,path,body", [(m, p, b) for m, p, b, _ in WRITES],
                         ids=[f"{m} {p}" for m, p, _, _ in WRITES])
def test_read_tokens_never_write(victim, method, path, body):
    read_only = do_create_api_token(make_staff("admin"), scope="read")[1]
    response = _call(Client(), method, path, body, victim, _bearer(read_only))
    assert response.status_code in (401, 403), response.content


# Endpoints only the admin role may use (others are allowed to some staff role, so a write token may use them).
ADMIN_ONLY = [(m, p, b) for m, p, b, e in TABLE if 200 <= e.get("admin", e["staff"]) < 300
              and not any(200 <= v < 300 for k, v in e.items() if k != "admin")]


@pytest.mark.parametrize("method,path,body", ADMIN_ONLY, ids=[f"{m} {p}" for m, p, _ in ADMIN_ONLY])
def test_tokens_below_admin_scope_cannot_use_admin_endpoints(victim, method, path, body):
    write_token = do_create_api_token(make_staff("admin"), scope="write")[1]
    response = _call(Client(), method, path, body, victim, _bearer(write_token))
    assert response.status_code in (401, 403), response.content


@pytest.mark.parametrize("method,path,body", [(m, p, b) for m, p, b, _ in WRITES],
                         ids=[f"{m} {p}" for m, p, _, _ in WRITES])
def test_session_writes_need_the_csrf_token(victim, method, path, body):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_staff("admin"))
    response = _call(browser, method, path, body, victim)
    assert response.status_code in (401, 403), response.content


@pytest.mark.parametrize("path", ["/desk/issues/{issue}/comment", "/desk/issues/{issue}/update",
                                  "/desk/customers/{org}/unmask", "/desk/customers/{org}/grants/{grant}/approve",
                                  "/logout/"])
def test_desk_forms_need_the_csrf_token(victim, path):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_staff("admin"))
    assert browser.post(path.format_map(_Ids(victim)), {"body": "x", "reason": "x" * 20}).status_code == 403


def test_login_needs_the_csrf_token():
    user = make_staff("support_t1")
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/login/", {"username": user.email, "password": "pw-for-tests-only"})
    assert response.status_code == 403 and "_auth_user_id" not in browser.session


@pytest.mark.parametrize("role", ["support_t1", "admin"])
def test_staff_without_an_unmask_read_no_personal_value_from_any_endpoint(victim, role):
    """A customer's person (requester, comment author, mailed address) seen through every GET
    endpoint by staff who hold no unmask grant: the name, address and phone never appear."""
    from tierline.customers.models import Contact
    from tierline.issues.actions import do_add_comment, do_record_notification
    from tierline.issues.models import Issue

    person = Contact.objects.get(pk=victim["contact"])
    Contact.objects.filter(pk=person.pk).update(name="Vera Victim", phone="+1 555 0100")
    issue = Issue.objects.get(pk=int(victim["issue"].split("-")[1]))
    Issue.objects.filter(pk=issue.pk).update(requester=person)
    do_add_comment(issue, body="Still down", is_public=True, author_contact=person)
    do_record_notification(issue, comment=None, recipient=SECRET_EMAIL, message_id="<n1@tierline>")
    staff = make_staff(role)
    token = do_create_api_token(staff, scope="admin")[1]
    for method, path, _, _ in TABLE:
        if method != "get":
            continue
        body = _call(Client(), "get", path, None, victim, _bearer(token)).content.decode()
        for value in (SECRET_EMAIL, "Vera Victim", "555 0100"):
            assert value not in body, (path, value)
    # The same reads with an approved unmask do show them: the values were there to leak.
    from tierline.customers.actions import do_approve_unmask

    do_approve_unmask(make_unmask_grant(issue.organization, issue, requester=staff),
                      actor=make_staff("senior_engineer_t5"))
    assert "Vera Victim" in _call(Client(), "get", "/issues/{issue}", None, victim, _bearer(token)).content.decode()
