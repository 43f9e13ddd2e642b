"""Feature requests for the feedback tests and the role tables."""

from decimal import Decimal

from tests.factories import make_issue, make_org
from tierline.feedback.actions import do_create_feature_request, do_mark_feature_request


def make_request(title: str = "Export invoices as CSV", **fields):
    return do_create_feature_request(actor=None, title=title, **fields)


def make_revenue_org(name: str, arr: int, deal: int = 0):
    return make_org(name=name, annual_revenue=Decimal(arr), open_deal_value=Decimal(deal))


def ask(request, organization, *, actor=None, **fields):
    """A new issue of `organization` marked as asking for `request`."""
    issue = make_issue(organization, **fields)
    do_mark_feature_request(issue, actor=actor, request=request)
    return issue


def make_feedback_ids() -> dict:
    """A feature request, as a URL part for the role table."""
    return {"request_id": make_request().pk}
