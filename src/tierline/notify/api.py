"""The notify app's REST endpoints under /api/v1: a problem's fix shipped
(`/problems/{id}/fix-shipped`), satisfaction ratings (`/satisfaction`, `/issues/{key}/satisfaction`,
`/satisfaction/csat`) and outgoing webhooks (`/webhooks`, admins)."""

from datetime import UTC, datetime

from ninja import Query, Router, Status

from tierline.accounts.permissions import has_perm
from tierline.audit.schemas import IsoDateTime
from tierline.errors import InvalidInput, NotFound, PermissionDenied
from tierline.escalation.queries import get_problem
from tierline.issues.queries import get_issue_for_user
from tierline.pagination import paginate
from tierline.schemas import ERRORS

from .csat import GROUPINGS, csat
from .fixes import do_ship_fix
from .models import WebhookEndpoint
from .queries import (
    DELIVERIES_NEWEST_FIRST,
    NEWEST_FIRST,
    SatisfactionFilters,
    fix_state,
    get_webhook,
    issue_satisfaction,
    list_deliveries,
    list_satisfaction,
    list_webhooks,
)
from .schemas import (
    CsatRowOut,
    DeliveryList,
    FixShippedIn,
    FixShippedOut,
    SatisfactionList,
    SatisfactionOut,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
    WebhookSecretOut,
)
from .webhooks import (
    do_create_webhook,
    do_delete_webhook,
    do_rotate_webhook_secret,
    do_send_test_event,
    do_update_webhook,
)

router = Router(tags=["notify"])
MAX_ID = 2**63 - 1


def _require(request, permission: str, message: str = "Your role may not do this") -> None:
    if not has_perm(request.auth, permission):
        raise PermissionDenied(message)


def _aware(value: datetime | None, name: str) -> datetime | None:
    try:
        return None if value is None else (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:
        raise InvalidInput("Date out of range", {name: "out of range"}) from None


@router.post("/problems/{problem_id}/fix-shipped", response={202: FixShippedOut, **ERRORS})
def fix_shipped(request, problem_id: int, payload: FixShippedIn):
    """The problem's fix shipped: every linked issue's customer is told once (a public reply, emailed)
    and, unless turned off, the issue resolved, by the worker. Calling again tells only issues linked since."""
    _require(request, "problem.manage", "Your role may not mark fixes shipped")
    problem = get_problem(problem_id) if problem_id < 2**63 else None
    if problem is None:
        raise NotFound(f"Problem {problem_id} not found")
    state_before = fix_state(problem)
    release = do_ship_fix(problem, actor=request.auth, version=payload.version, note=payload.note,
                          resolve_issues=payload.resolve_issues)
    return Status(202, {
        "problem_id": problem.pk, "version": release.version, "note": release.note,
        "resolve_issues": release.resolve_issues, "shipped_at": release.shipped_at,
        "shipped_by": release.shipped_by.display_name if release.shipped_by else None,
        "linked": state_before.linked, "told": state_before.told, "to_tell": state_before.to_tell,
    })


def satisfaction_out(rating) -> dict:
    issue = rating.issue
    return {"id": rating.pk, "issue": issue.key, "rating": rating.rating, "comment": rating.comment,
            "resolved_at": rating.resolved_at, "rated_at": rating.rated_at, "updated_at": rating.updated_at,
            "team": rating.team.name if rating.team_id else None, "priority": rating.priority,
            "organization": issue.organization.name if issue.organization_id else None}


@router.get("/satisfaction", response={200: SatisfactionList, **ERRORS})
def get_satisfaction(request, rating: str = Query("", pattern="^(good|bad)?$"),
                     team_id: int | None = Query(None, ge=1, le=MAX_ID),
                     organization_id: int | None = Query(None, ge=1, le=MAX_ID), since: IsoDateTime | None = None,
                     until: IsoDateTime | None = None, cursor: str | None = None,
                     limit: int = Query(50, ge=1, le=100)):
    """Customers' ratings of resolutions, newest first."""
    _require(request, "satisfaction.view", "Only staff read satisfaction ratings")
    filters = SatisfactionFilters(rating=rating, team_id=team_id, organization_id=organization_id,
                                  since=_aware(since, "since"), until=_aware(until, "until"))
    items, next_cursor = paginate(list_satisfaction(filters), NEWEST_FIRST, cursor=cursor, limit=limit)
    return {"items": [satisfaction_out(r) for r in items], "next_cursor": next_cursor}


@router.get("/satisfaction/csat", response={200: list[CsatRowOut], **ERRORS})
def get_csat(request, by: str = Query("week", pattern=f"^({'|'.join(GROUPINGS)})$"),
             since: IsoDateTime | None = None, until: IsoDateTime | None = None):
    """The share of good ratings and their count per ISO week, team or priority."""
    _require(request, "satisfaction.view", "Only staff read satisfaction ratings")
    rows = csat(by, since=_aware(since, "since"), until=_aware(until, "until"))
    return [{"group": r.group, "ratings": r.ratings, "good": r.good, "share_good": r.share_good} for r in rows]


@router.get("/issues/{key}/satisfaction", response={200: list[SatisfactionOut], **ERRORS})
def get_issue_satisfaction(request, key: str):
    """The issue's ratings, one per resolution round."""
    issue = get_issue_for_user(request.auth, key)  # another organization's issue is a 404 first
    _require(request, "satisfaction.view", "Only staff read satisfaction ratings")
    return [satisfaction_out(r) for r in issue_satisfaction(issue)]


def webhook_out(endpoint: WebhookEndpoint) -> dict:
    return {"id": endpoint.pk, "name": endpoint.name, "url": endpoint.url, "events": endpoint.events,
            "format": endpoint.format, "is_active": endpoint.is_active, "created_at": endpoint.created_at,
            "updated_at": endpoint.updated_at, "pending": getattr(endpoint, "pending", 0),
            "failed": getattr(endpoint, "failed", 0)}


def _webhook_or_404(request, webhook_id: int) -> WebhookEndpoint:
    _require(request, "webhook.manage", "Only admins manage webhooks")
    endpoint = get_webhook(webhook_id)
    if endpoint is None:
        raise NotFound(f"Webhook {webhook_id} not found")
    return endpoint


@router.get("/webhooks", response={200: list[WebhookOut], **ERRORS})
def get_webhooks(request):
    _require(request, "webhook.manage", "Only admins manage webhooks")
    return [webhook_out(e) for e in list_webhooks()]


@router.post("/webhooks", response={201: WebhookCreated, **ERRORS})
def create_webhook(request, payload: WebhookIn):
    """A new endpoint; the answer carries its signing secret, shown this once."""
    _require(request, "webhook.manage", "Only admins manage webhooks")
    endpoint, secret = do_create_webhook(actor=request.auth, **payload.model_dump())
    return Status(201, {**webhook_out(endpoint), "secret": secret})


@router.get("/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS})
def get_one_webhook(request, webhook_id: int):
    return webhook_out(_webhook_or_404(request, webhook_id))


@router.patch("/webhooks/{webhook_id}", response={200: WebhookOut, **ERRORS})
def update_webhook(request, webhook_id: int, payload: WebhookPatch):
    endpoint = _webhook_or_404(request, webhook_id)
    changes = payload.model_dump(exclude_unset=True)
    if any(value is None for value in changes.values()):
        raise InvalidInput("Fields cannot be null", {k: "cannot be null" for k, v in changes.items() if v is None})
    do_update_webhook(endpoint, actor=request.auth, **changes)
    return webhook_out(get_webhook(endpoint.pk))


@router.delete("/webhooks/{webhook_id}", response={204: None, **ERRORS})
def delete_webhook(request, webhook_id: int):
    do_delete_webhook(_webhook_or_404(request, webhook_id), actor=request.auth)
    return Status(204, None)


@router.post("/webhooks/{webhook_id}/rotate", response={200: WebhookSecretOut, **ERRORS})
def rotate_webhook(request, webhook_id: int):
    """A new signing secret, shown this once; the old one stops signing at once."""
    return {"secret": do_rotate_webhook_secret(_webhook_or_404(request, webhook_id), actor=request.auth)}


def delivery_out(delivery) -> dict:
    return {"id": delivery.pk, "event": delivery.event, "issue": delivery.issue.key if delivery.issue_id else None,
            "status": delivery.status, "attempts": delivery.attempts, "last_status_code": delivery.last_status_code,
            "last_error": delivery.last_error, "next_attempt_at": delivery.next_attempt_at,
            "delivered_at": delivery.delivered_at, "created_at": delivery.created_at, "data": delivery.data}


@router.post("/webhooks/{webhook_id}/test", response={202: DeliveryList, **ERRORS})
def test_webhook(request, webhook_id: int):
    """Send a `ping` event to this endpoint now; its outcome shows in the delivery log."""
    delivery = do_send_test_event(_webhook_or_404(request, webhook_id), actor=request.auth)
    return Status(202, {"items": [delivery_out(delivery)], "next_cursor": None})


@router.get("/webhooks/{webhook_id}/deliveries", response={200: DeliveryList, **ERRORS})
def get_deliveries(request, webhook_id: int, status: str = Query("", pattern="^(pending|delivered|failed)?$"),
                   cursor: str | None = None, limit: int = Query(50, ge=1, le=100)):
    """The endpoint's delivery log, newest first: status code, error and attempts of each."""
    endpoint = _webhook_or_404(request, webhook_id)
    rows = list_deliveries(endpoint, status).select_related("issue")
    items, next_cursor = paginate(rows, DELIVERIES_NEWEST_FIRST, cursor=cursor, limit=limit)
    return {"items": [delivery_out(d) for d in items], "next_cursor": next_cursor}
