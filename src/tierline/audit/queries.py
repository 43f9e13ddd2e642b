"""Searching the audit trail (admins), its entries as a reader may see them, and the
personal-data access log (an organization)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from .actions import PERSONAL_DATA_ACTIONS
from .models import AuditEntry


@dataclass
class AuditFilters:
    action: str = ""  # exact, or a prefix ending in "." ("token.")
    actor: str = ""  # email, exact
    organization_id: int | None = None
    target: str = ""  # target id, exact (an issue key, a token prefix...)
    since: datetime | None = None
    until: datetime | None = None
    q: str = ""  # text in the reason


def search_audit(filters: AuditFilters) -> QuerySet:
    rows = AuditEntry.objects.select_related("organization", "actor")
    if filters.action:
        rows = rows.filter(action__startswith=filters.action) if filters.action.endswith(".") \
            else rows.filter(action=filters.action)
    if filters.actor:
        rows = rows.filter(actor_email__iexact=filters.actor.strip())
    if filters.organization_id is not None:
        rows = rows.filter(organization_id=filters.organization_id)
    if filters.target:
        rows = rows.filter(target_id=filters.target.strip())
    if filters.since:
        rows = rows.filter(created_at__gte=filters.since)
    if filters.until:
        rows = rows.filter(created_at__lt=filters.until)
    if filters.q.strip():
        rows = rows.filter(Q(reason__icontains=filters.q.strip()))
    return rows


def list_personal_data_access(organization_id: int) -> QuerySet:
    """Who looked at an organization's personal data, and why: what its customers are shown."""
    return (AuditEntry.objects.filter(organization_id=organization_id, action__in=PERSONAL_DATA_ACTIONS)
            .select_related("actor"))


ENTRY_FIELDS = ("id", "created_at", "actor_id", "actor_email", "action", "organization_id", "target_type",
                "target_id", "reason", "ip_address", "user_agent", "data", "prev_hash", "entry_hash")


def shown_entries(entries, reader, *, what: str) -> list[dict]:
    """Entries for the page, the API and exports: the addresses of a customer's people (a customer
    as actor, an address in the details of an entry about an organization) are masked like
    everywhere else (customers/masking.py). The hashes cover the stored values: the chain is
    checked on the server, with `tierline audit verify`."""
    from tierline.customers.masking import PersonalData

    privacy = PersonalData(reader, what=what)
    rows = []
    for entry in entries:
        row = {field: getattr(entry, field) for field in ENTRY_FIELDS}
        actor = entry.actor
        if actor is not None and actor.organization_id:
            row["actor_email"] = privacy.show(actor.organization_id, "contacts.actor.email", entry.actor_email)
        if entry.organization_id:
            row["data"] = {key: privacy.personal(value, entry.organization_id)
                           if isinstance(value, str) and "@" in value else value
                           for key, value in entry.data.items()}
        rows.append(row)
    return rows
