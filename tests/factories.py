"""Small factories that build test data through the real actions."""

import itertools

from tierline.accounts.actions import do_create_api_token, do_create_team, do_create_user
from tierline.customers.actions import do_create_contact, do_create_organization
from tierline.issues.actions import do_create_component, do_create_issue

_seq = itertools.count(1)


def make_org(name: str | None = None, **fields):
    n = next(_seq)
    fields.setdefault("email_domains", [f"org{n}.example"])
    return do_create_organization(name=name or f"Org {n}", **fields)


def make_staff(role: str = "support_t1", email: str | None = None, **fields):
    return do_create_user(email=email or f"staff{next(_seq)}@tierline.example", role=role,
                          password="pw-for-tests-only", **fields)


def make_customer(organization, email: str | None = None, **fields):
    domain = organization.email_domains[0] if organization.email_domains else "customer.example"
    return do_create_user(email=email or f"user{next(_seq)}@{domain}", role="customer",
                          organization=organization, password="pw-for-tests-only", **fields)


def make_contact(organization=None, email: str | None = None, **fields):
    domain = organization.email_domains[0] if organization and organization.email_domains else "people.example"
    return do_create_contact(email=email or f"person{next(_seq)}@{domain}", organization=organization, **fields)


def make_team(name: str | None = None, tier: int = 1, **fields):
    return do_create_team(name=name or f"Team {next(_seq)}", tier=tier, **fields)


def make_component(name: str | None = None, **fields):
    return do_create_component(name=name or f"Component {next(_seq)}", **fields)


def make_issue(organization=None, *, actor=None, title: str | None = None, **fields):
    return do_create_issue(actor=actor, title=title or f"Problem {next(_seq)}", organization=organization, **fields)


def make_unmask_grant(organization, issue, requester=None, reason: str = "checking the reported problem"):
    """The requester is made the issue's assignee: only someone working on an issue may unmask."""
    from tierline.customers.actions import do_request_unmask
    from tierline.issues.actions import do_update_issue

    requester = requester or make_staff("engineer_t4")
    do_update_issue(issue, actor=None, assignee=requester)
    return do_request_unmask(organization, actor=requester, issue=issue, reason=reason)


def make_token(user, scope: str = "admin") -> str:
    """Admin scope by default, so that tests of roles see the role's full permissions."""
    return do_create_api_token(user, scope=scope)[1]
