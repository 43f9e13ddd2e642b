"""Every desk, back office, audit and portal page against every role, like the API's table in
test_authorization.py: allowed, denied (to the login page, to the other side's home, 404 for
admin-only pages), or 404 for another organization's ids.

A new page under /desk/ or /portal/ fails `test_every_page_is_in_the_table` until it is added.
"""

import itertools

import pytest
from django.urls import NoReverseMatch, get_resolver, reverse

from tests.conversations.helpers import make_chat_key
from tests.factories import make_issue, make_org, make_unmask_grant
from tests.feedback.helpers import make_feedback_ids
from tests.intake.helpers import make_intake_ids
from tests.knowledge.helpers import make_knowledge_ids
from tests.planning.helpers import make_planning_ids
from tests.probes.panel_helpers import make_issue_probe_ids
from tests.roles import OPS_AND_UP, ROLES, expected_for, user_for

_unique = itertools.count()

LOGIN, PORTAL, DESK = "login", "portal", "desk"  # redirects: to log in, to the portal, to the desk
ALLOWED = "allowed"  # a form answered (saved and redirected back, or re-shown with its errors)
# Every staff-only page sends customers to the portal, every portal page sends staff to the desk.
DESK_PAGE = {"customer": PORTAL, "staff": 200}
PORTAL_PAGE = {"customer": 200, "staff": DESK}
ENGINEERS_ALLOWED = dict.fromkeys(["engineer_t4", "senior_engineer_t5", "admin"], ALLOWED)

# method, URL name, URL arguments, expected outcome by role, read by tests/roles.py as the API's table is
# ("staff" covers staff roles without their own entry, "outsider" falls back to "customer"; anonymous
# visitors go to the login page)
PAGES = [
    ("get", "desk-queue", {}, DESK_PAGE),
    ("get", "desk-issue", {"key": "{issue}"}, DESK_PAGE),
    ("get", "desk-issue", {"key": "TL-999999"}, {"customer": PORTAL, "staff": 404}),
    ("post", "desk-comment", {"key": "{issue}"}, {"customer": PORTAL, "staff": ALLOWED}),
    ("post", "desk-update", {"key": "{issue}"}, {"customer": PORTAL, "staff": ALLOWED}),
    ("get", "customer-list", {}, DESK_PAGE),
    ("get", "customer-detail", {"organization_id": "{org}"}, DESK_PAGE),
    ("get", "customer-detail", {"organization_id": 999999}, {"customer": PORTAL, "staff": 404}),
    ("post", "customer-unmask", {"organization_id": "{org}"}, {"customer": PORTAL, "staff": ALLOWED}),
    ("post", "customer-approve", {"organization_id": "{org}", "grant_id": "{grant}"},
     {"customer": PORTAL, "staff": 403, "senior_engineer_t5": ALLOWED, "admin": ALLOWED}),
    ("post", "customer-approve", {"organization_id": "{other_org}", "grant_id": "{grant}"},
     {"customer": PORTAL, "staff": 404}),
    ("get", "audit-list", {}, {"customer": PORTAL, "staff": 404, "admin": 200}),
    ("get", "audit-export", {}, {"customer": PORTAL, "staff": 404, "admin": 200}),
    ("get", "intake-quarantine", {}, {"customer": 404, "staff": 404, "admin": 200}),
    ("post", "intake-retry", {"message_id": "{message_id}"}, {"customer": 404, "staff": 404, "admin": ALLOWED}),
    ("post", "calls-log", {"key": "{issue}"}, {"customer": PORTAL, "staff": ALLOWED}),
    ("get", "calls-new", {}, DESK_PAGE),
    ("post", "calls-new", {}, {"customer": PORTAL, "staff": ALLOWED}),
    ("get", "chat-queue", {}, DESK_PAGE),
    ("get", "chat-queue-rows", {}, DESK_PAGE),
    ("get", "chat-keys", {}, {"customer": PORTAL, "staff": 404, "admin": 200}),
    ("post", "chat-keys", {}, {"customer": PORTAL, "staff": 404, "admin": ALLOWED}),
    ("post", "chat-key-revoke", {"chat_key": "{chat_key}"}, {"customer": PORTAL, "staff": 404, "admin": ALLOWED}),
    ("post", "chat-key-revoke", {"chat_key": 999999}, {"customer": PORTAL, "staff": 404}),
    ("get", "triage-queue", {}, DESK_PAGE),
    ("post", "triage-override", {"key": "{issue}"}, {"customer": PORTAL, "staff": ALLOWED, "support_t1": 403}),
    ("post", "escalation-handoff", {"key": "{issue}"}, {"customer": PORTAL, "staff": ALLOWED}),
    ("post", "escalation-questionnaire", {"key": "{issue}"}, {"customer": PORTAL, "staff": ALLOWED}),
    ("post", "escalation-team-task", {"key": "{issue}"}, {"customer": PORTAL, "staff": ALLOWED}),
    ("post", "escalation-problem-link", {"key": "{issue}"},
     {"customer": PORTAL, "staff": 403, **dict.fromkeys(OPS_AND_UP, ALLOWED)}),
    ("get", "escalation-breaching", {}, DESK_PAGE),
    ("get", "escalation-engineering", {}, DESK_PAGE),
    ("get", "escalation-problems", {}, DESK_PAGE),
    ("get", "escalation-problem", {"problem_id": 999999}, {"customer": PORTAL, "staff": 404}),
    ("post", "probes-add", {"key": "{issue}"}, {"customer": PORTAL, "staff": 403, **ENGINEERS_ALLOWED}),
    ("post", "probes-extend", {"key": "{issue}", "probe_id": "{issue_probe}"},
     {"customer": PORTAL, "staff": 403, **ENGINEERS_ALLOWED}),
    ("post", "probes-remove", {"key": "{issue}", "probe_id": "{issue_probe}"},
     {"customer": PORTAL, "staff": 403, **ENGINEERS_ALLOWED}),
    ("post", "probes-remove", {"key": "{issue}", "probe_id": "p-999999"}, {"customer": PORTAL, "staff": 404}),
    ("get", "portal-list", {}, PORTAL_PAGE),
    ("get", "portal-new", {}, PORTAL_PAGE),
    ("post", "portal-new", {}, {"customer": ALLOWED, "staff": DESK}),
    ("get", "portal-issue", {"key": "{issue}"}, {"customer": 200, "outsider": 404, "staff": DESK}),
    ("post", "portal-issue", {"key": "{issue}"}, {"customer": ALLOWED, "outsider": 404, "staff": DESK}),
    ("get", "portal-access-log", {}, PORTAL_PAGE),
    ("get", "insights-overview", {}, DESK_PAGE),
    ("get", "insights-times", {}, DESK_PAGE),
    ("get", "insights-escalations", {}, DESK_PAGE),
    ("get", "insights-long-tail", {}, DESK_PAGE),
    ("get", "insights-hotspots", {}, DESK_PAGE),
    ("get", "insights-customers", {}, DESK_PAGE),
    ("get", "insights-satisfaction", {}, DESK_PAGE),
    ("get", "insights-export", {"table": "customer-health"}, DESK_PAGE),
    ("get", "insights-export", {"table": "no-such-table"}, {"customer": PORTAL, "staff": 404}),
    ("post", "notify-fix-shipped", {"problem_id": 999999},
     {"customer": PORTAL, "staff": 403, **dict.fromkeys(OPS_AND_UP, 404)}),
    # The rating page needs no login: its signed link is the proof, and a forged one is a 404 for anyone.
    ("get", "notify-rate", {"token": "forged"}, {"anonymous": 404, "customer": 404, "staff": 404}),
    ("get", "feedback-requests", {}, DESK_PAGE),
    ("post", "feedback-requests", {}, {"customer": PORTAL, "staff": ALLOWED}),
    ("get", "feedback-requests-export", {}, DESK_PAGE),
    ("get", "feedback-request", {"request_id": "{request_id}"}, DESK_PAGE),
    ("get", "feedback-request", {"request_id": 999999}, {"customer": PORTAL, "staff": 404}),
    ("post", "feedback-request-edit", {"request_id": "{request_id}"}, {"customer": PORTAL, "staff": ALLOWED}),
    ("post", "feedback-request-merge", {"request_id": "{request_id}"}, {"customer": PORTAL, "staff": ALLOWED}),
    ("post", "feedback-request-tell", {"request_id": "{request_id}"}, {"customer": PORTAL, "staff": ALLOWED}),
    ("get", "feedback-mark", {"key": "{issue}"}, DESK_PAGE),
    ("post", "feedback-mark", {"key": "{issue}"}, {"customer": PORTAL, "staff": ALLOWED}),
    ("get", "knowledge-articles", {}, DESK_PAGE),
    ("get", "knowledge-new", {}, DESK_PAGE),
    ("post", "knowledge-new", {}, {"customer": PORTAL, "staff": ALLOWED}),
    ("get", "knowledge-article", {"article_id": "{article_id}"}, DESK_PAGE),
    ("get", "knowledge-article", {"article_id": 999999}, {"customer": PORTAL, "staff": 404}),
    ("post", "knowledge-article", {"article_id": "{article_id}"}, {"customer": PORTAL, "staff": ALLOWED}),
    ("post", "knowledge-from-problem", {}, {"customer": PORTAL, "staff": ALLOWED}),
    ("post", "knowledge-from-issue", {"key": "{issue}"}, {"customer": PORTAL, "staff": ALLOWED}),
    ("post", "knowledge-send", {"key": "{issue}"}, {"customer": PORTAL, "staff": ALLOWED}),
    ("get", "portal-kb", {}, PORTAL_PAGE),
    ("get", "portal-kb-article", {"article_id": "{article_id}"}, PORTAL_PAGE),  # public: any organization
    ("get", "portal-kb-article", {"article_id": "{internal_article}"}, {"customer": 404, "staff": DESK}),
    ("post", "portal-kb-helpful", {"article_id": "{article_id}"}, {"customer": PORTAL, "staff": DESK}),  # back to it
    ("get", "planning-teams", {}, DESK_PAGE),
    ("get", "planning-team", {"team_id": "{team_id}"}, DESK_PAGE),
    ("get", "planning-team", {"team_id": 999999}, {"customer": PORTAL, "staff": 404}),
    # Team leads (senior engineers) set their own teams' budgets; this team has no members.
    ("post", "planning-budget", {"team_id": "{team_id}"}, {"customer": PORTAL, "staff": 403, "admin": ALLOWED}),
    ("post", "planning-log-time", {"key": "{issue}"}, {"customer": PORTAL, "staff": ALLOWED}),
    ("post", "planning-remove-time", {"key": "{issue}"}, {"customer": PORTAL, "staff": 404}),
    ("get", "availability-overview", {}, DESK_PAGE),
    ("get", "availability-export", {}, DESK_PAGE),
    ("post", "availability-record-outage", {"key": "{issue}"},
     {"customer": PORTAL, "staff": 403, **dict.fromkeys(OPS_AND_UP, ALLOWED)}),
    ("post", "availability-record-outage", {"key": "TL-999999"}, {"customer": PORTAL, "staff": 404}),
]


def outcome(response):
    if response.status_code == 302:
        location = response["Location"]
        return LOGIN if location.startswith("/login/") else PORTAL if location.startswith("/portal/") else (
            DESK if location.startswith("/desk/") and location.count("/") <= 2 else ALLOWED)
    if response.status_code in (200, 422) and response.request["REQUEST_METHOD"] == "POST":
        return ALLOWED
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,name,kwargs,expectations", PAGES,
                         ids=[f"{m} {n} {'/'.join(map(str, k.values()))}" for m, n, k, _ in PAGES])
def test_page_access(client, role, method, name, kwargs, expectations):
    org = make_org(name="Acme", email_domains=["acme.example"], unmask_needs_approval=True)
    other_org = make_org(name="Globex", email_domains=["globex.example"])
    issue = make_issue(org)
    grant = make_unmask_grant(org, issue)
    ids = {"issue": issue.key, "org": org.pk, "other_org": other_org.pk, "grant": grant.pk, **make_intake_ids(),
           "chat_key": make_chat_key(org).pk, **make_issue_probe_ids(issue), **make_feedback_ids(),
           **make_knowledge_ids(), **make_planning_ids()}
    try:
        url = reverse(name, kwargs={k: str(v).format(**ids) for k, v in kwargs.items()})
    except NoReverseMatch:
        pytest.skip(f"no page {name} in this checkout")  # rows may land before the page does
    user = user_for(role, org, other_org)
    if user is not None:
        client.force_login(user)
    response = client.post(url, {}) if method == "post" else client.get(url)
    assert outcome(response) == expected_for(expectations, role, anonymous=LOGIN), (
        response.status_code, response.get("Location"))


def test_every_page_is_in_the_table():
    """Every named page under /desk/ and /portal/ has at least one row."""
    covered = {name for _, name, _, _ in PAGES}
    pages = set()
    for name in get_resolver().reverse_dict:
        if not isinstance(name, str):
            continue
        try:
            route = get_resolver().reverse_dict.getlist(name)[0][0][0][0]
        except (IndexError, NoReverseMatch):
            continue
        if route.startswith(("desk/", "portal/")):
            pages.add(name)
    assert pages - covered == set()
