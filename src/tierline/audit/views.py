"""The audit trail page for admins: search, and export as CSV (the export is itself audited)."""

import csv
from datetime import UTC, datetime

from django.http import Http404, HttpResponse
from django.shortcuts import render

from tierline.accounts.permissions import has_perm
from tierline.errors import ActionError
from tierline.issues.views import staff_required
from tierline.pagination import paginate

from .actions import do_export_audit
from .queries import AuditFilters, search_audit, shown_entries

NEWEST_FIRST = (("id", True),)
CSV_COLUMNS = ("id", "created_at", "actor_email", "action", "organization_id", "target_type", "target_id",
               "reason", "ip_address", "user_agent", "data", "prev_hash", "entry_hash")


def _date(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def _filters(request) -> AuditFilters:
    get = request.GET
    organization = get.get("organization", "")
    return AuditFilters(action=get.get("action", "")[:64].strip(), actor=get.get("actor", "")[:254],
                        organization_id=int(organization) if organization.isdigit() and len(organization) < 18
                        else None, target=get.get("target", "")[:64], since=_date(get.get("since", "")),
                        until=_date(get.get("until", "")), q=get.get("q", "")[:200])


def _admin_only(request) -> None:
    if not has_perm(request.user, "audit.view"):
        raise Http404("Not found")


@staff_required
def audit_list(request):
    _admin_only(request)
    filters = _filters(request)
    try:
        items, next_cursor = paginate(search_audit(filters), NEWEST_FIRST, cursor=request.GET.get("cursor") or None,
                                      limit=100)
    except ActionError:  # a cursor from elsewhere: show the first page
        items, next_cursor = paginate(search_audit(filters), NEWEST_FIRST, cursor=None, limit=100)
    query = request.GET.copy()
    query.pop("cursor", None)
    organizations = {e.organization_id: e.organization for e in items}
    entries = [{**row, "organization": organizations[row["organization_id"]]}
               for row in shown_entries(items, request.user, what="audit trail")]
    return render(request, "audit/list.html", {"entries": entries, "next_cursor": next_cursor,
                                               "query": query.urlencode(), "get": request.GET})


@staff_required
def audit_export(request):
    _admin_only(request)
    filters = _filters(request)
    entries, truncated = do_export_audit(actor=request.user, rows=search_audit(filters),
                                         description={"filters": {k: str(v) for k, v in vars(filters).items() if v},
                                                      "format": "csv"})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tierline-audit.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in shown_entries(entries, request.user, what="audit export"):
        writer.writerow([row[c] if c != "created_at" else row[c].isoformat() for c in CSV_COLUMNS])
    if truncated:
        writer.writerow(["# truncated: narrow the filters to export the rest"])
    return response
