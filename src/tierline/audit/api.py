"""/audit (admins search and export the trail) and /organizations/{id}/access-log (who looked
at an organization's personal data, for its customers and staff)."""

from datetime import UTC, datetime

from ninja import Query, Router

from tierline.accounts.permissions import has_perm, scope_organizations
from tierline.customers.models import Organization
from tierline.errors import InvalidInput, NotFound, PermissionDenied
from tierline.pagination import paginate
from tierline.schemas import ERRORS, RowId

from .actions import do_export_audit
from .queries import AuditFilters, list_personal_data_access, search_audit, shown_entries
from .schemas import AccessList, AuditExport, AuditList, IsoDateTime

router = Router(tags=["audit"])
NEWEST_FIRST = (("id", True),)


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:
        raise InvalidInput("Date out of range", {name: "out of range"}) from None


def _filters(action, actor, organization_id, target, since, until, q) -> AuditFilters:
    if any("\x00" in text for text in (action, actor, target, q)):
        raise InvalidInput("Search text cannot contain NUL characters", {"q": "NUL character"})
    return AuditFilters(action=action, actor=actor, organization_id=organization_id, target=target,
                        since=_aware(since, "since"), until=_aware(until, "until"), q=q)


def _check_admin(user) -> None:
    if not has_perm(user, "audit.view"):
        raise PermissionDenied("Only admins can read the audit trail")


@router.get("/audit", response={200: AuditList, **ERRORS})
def list_audit(request, action: str = Query("", max_length=64), actor: str = Query("", max_length=254),
               organization_id: RowId | None = None, target: str = Query("", max_length=64),
               since: IsoDateTime | None = None, until: IsoDateTime | None = None, q: str = Query("", max_length=200),
               cursor: str | None = None, limit: int = Query(50, ge=1, le=100)):
    _check_admin(request.auth)
    rows = search_audit(_filters(action, actor, organization_id, target, since, until, q))
    items, next_cursor = paginate(rows, NEWEST_FIRST, cursor=cursor, limit=limit)
    return {"items": shown_entries(items, request.auth, what="audit trail"), "next_cursor": next_cursor}


@router.get("/audit/export", response={200: AuditExport, **ERRORS})
def export_audit(request, action: str = Query("", max_length=64), actor: str = Query("", max_length=254),
                 organization_id: RowId | None = None, target: str = Query("", max_length=64),
                 since: IsoDateTime | None = None, until: IsoDateTime | None = None,
                 q: str = Query("", max_length=200)):
    _check_admin(request.auth)
    filters = _filters(action, actor, organization_id, target, since, until, q)
    entries, truncated = do_export_audit(actor=request.auth, rows=search_audit(filters),
                                         description={"filters": {k: v for k, v in vars(filters).items() if v}})
    return {"items": shown_entries(entries, request.auth, what="audit export"), "truncated": truncated}


def access_rows(entries) -> list[dict]:
    return [{"created_at": e.created_at, "who": e.actor.display_name if e.actor else e.actor_email or "Tierline",
             "action": e.action, "reason": e.reason, "issue": str(e.data.get("issue", ""))} for e in entries]


@router.get("/organizations/{int:organization_id}/access-log", response={200: AccessList, **ERRORS})
def get_access_log(request, organization_id: int, cursor: str | None = None, limit: int = Query(50, ge=1, le=100)):
    organization = scope_organizations(request.auth, Organization.objects.all()).filter(pk=organization_id).first()
    if organization is None:
        raise NotFound("Organization not found")
    items, next_cursor = paginate(list_personal_data_access(organization.pk), NEWEST_FIRST, cursor=cursor,
                                  limit=limit)
    return {"items": access_rows(items), "next_cursor": next_cursor}
