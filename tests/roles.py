"""The roles the authorization tables run through (`test_authorization.py` for the API,
`test_page_authorization.py` for the desk and portal pages), and how a row's expectations read.

A row names what customers and staff get, and any role that differs: "outsider" (a customer of
another organization) falls back to "customer", a staff role without its own entry to "staff",
and an anonymous visitor gets the table's own refusal unless the row says otherwise.
"""

from tests.factories import make_customer, make_staff

STAFF_ROLES = ["support_t1", "support_t2", "operations_t3", "engineer_t4", "senior_engineer_t5", "admin"]
ROLES = ["anonymous", "customer", "outsider", *STAFF_ROLES]
OPS_AND_UP = ["operations_t3", "engineer_t4", "senior_engineer_t5", "admin"]


def expected_for(expectations: dict, role: str, *, anonymous):
    """What `role` gets by a row's `expectations`; `anonymous`: what a visitor gets by default."""
    if role == "anonymous":
        return expectations.get("anonymous", anonymous)
    if role in expectations:
        return expectations[role]
    if role == "outsider":
        return expectations["customer"]
    return expectations["staff"]


def user_for(role: str, organization, other_organization):
    """A user of `role` (None for anonymous); an outsider is a customer of `other_organization`."""
    if role == "anonymous":
        return None
    if role == "customer":
        return make_customer(organization)
    if role == "outsider":
        return make_customer(other_organization)
    return make_staff(role)
