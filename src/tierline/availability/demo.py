"""Demo outages over the last three months, written through the actions: one for everyone, a
component down for everyone, customers' own (one reported by the customer, linked to their issue,
one still going on), and an objective override for one customer. Called from `tierline demo`'s seed."""

from datetime import datetime, timedelta

from tierline.issues.models import Issue

from .actions import do_record_outage, do_set_objective
from .models import OutageSource


def _issue_of(organization, before: datetime):
    return Issue.objects.filter(organization=organization, created_at__lte=before).order_by("-created_at").first()


def seed_availability(*, now: datetime, organizations: list, components: list) -> None:
    by_name = {o.name: o for o in organizations}
    component = {c.name: c for c in components}
    acme, globex, northwind = by_name.get("Acme Robotics"), by_name.get("Globex Health"), by_name.get(
        "Northwind Logistics")
    # (days ago, hour, minutes, title, scope, source, the customer whose issue it explains)
    plan = [
        (75, 3, 25, "Database failover in the primary region", {"is_global": True}, OutageSource.STAFF, None),
        (48, 14, 50, "Acme's sync jobs stalled", {"organizations": [acme]}, OutageSource.CUSTOMER_REPORTED, acme),
        (20, 9, 18, "Public API answering 503", {"components": [component.get("Public API")]}, OutageSource.STAFF,
         None),
        (9, 16, 35, "Globex's single sign-on refused every login",
         {"organizations": [globex], "components": [component.get("Authentication")]},
         OutageSource.CUSTOMER_REPORTED, globex),
        (2, 11, 12, "Northwind's exports timing out", {"organizations": [northwind]}, OutageSource.STAFF, northwind),
        # Overlaps the one before it: counted once for Northwind.
        (2, 11.1, 8, "Report rendering queue stuck", {"organizations": [northwind],
                                                      "components": [component.get("Reporting")]},
         OutageSource.STAFF, None),
    ]
    for days, hour, minutes, title, scope, source, customer in plan:
        scope = {k: [x for x in v if x is not None] if isinstance(v, list) else v for k, v in scope.items()}
        if not any(scope.values()):
            continue
        start = (now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=hour)
        issue = _issue_of(customer, start) if customer else None
        do_record_outage(actor=None, title=title, started_at=start, ended_at=start + timedelta(minutes=minutes),
                         source=source, issues=[issue] if issue else [], at=start + timedelta(minutes=minutes), **scope)
    if acme is not None:
        do_record_outage(actor=None, title="Acme's webhooks delayed", started_at=now - timedelta(minutes=40),
                         organizations=[acme], at=now - timedelta(minutes=35))  # still going on
        do_set_objective(actor=None, target="99.99", organization=acme, reason="contracted in the 2026 renewal")
