"""/intake: alert webhooks (authenticated by each integration's own secret, not a user token),
the inbound-message log with its quarantine, and alert integrations."""

import json

from django.conf import settings
from ninja import Query, Router, Status

from tierline.customers.models import Organization
from tierline.errors import InvalidInput, PayloadTooLarge
from tierline.schemas import ERRORS

from .actions import do_create_integration, do_receive_message, do_retry_message, do_rotate_integration_secret
from .models import InboundKind, InboundStatus
from .queries import find_integration, get_inbound_message, list_inbound_messages, list_integrations
from .schemas import (
    AlertAccepted,
    InboundMessageList,
    InboundMessageOut,
    IntegrationIn,
    IntegrationOut,
    ReviewsImported,
    ReviewsIn,
    SimilarIssueOut,
)
from .secrets import integration_secret, is_authentic

router = Router(tags=["intake"])


@router.post("/intake/alerts/{source}", response={202: AlertAccepted, **ERRORS}, auth=None)
def receive_alerts(request, source: str):
    """Post a monitoring system's alert payload to the integration named `source`. Send the
    integration's secret as `Authorization: Bearer <secret>`, or an HMAC-SHA256 of the raw body
    under it as `X-Tierline-Signature: sha256=<hex>`. The payload is stored and answered at once;
    the worker groups its alerts into issues. Identical payloads sent again change nothing."""
    from ninja.errors import AuthenticationError

    integration = find_integration(source[:50])
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > settings.ALERT_MAX_BYTES:
        raise PayloadTooLarge(f"Alert payloads are limited to {settings.ALERT_MAX_BYTES} bytes")
    body = request.body
    secret = integration_secret(integration.slug, integration.secret_salt) if integration else "-"
    authentic = is_authentic(secret, body, request.headers.get("Authorization", ""),
                             request.headers.get("X-Tierline-Signature", ""))
    if integration is None or not authentic:
        raise AuthenticationError()
    if len(body) > settings.ALERT_MAX_BYTES:
        raise PayloadTooLarge(f"Alert payloads are limited to {settings.ALERT_MAX_BYTES} bytes")
    try:
        json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput("The payload is not JSON", {"body": "not JSON"}) from None
    message = do_receive_message(kind=InboundKind.ALERT, source=integration.slug, raw=body,
                                 integration=integration)
    return Status(202, {"id": message.pk, "status": message.status})


def message_out(message) -> dict:
    return {
        "id": message.pk, "kind": message.kind, "source": message.source, "status": message.status,
        "reason": message.reason, "attempts": message.attempts, "sender": message.sender,
        "subject": message.subject, "message_id": message.message_id, "size": message.size or 0,
        "received_at": message.received_at, "processed_at": message.processed_at,
        "issue": message.issue.key if message.issue_id else None,
    }


@router.get("/intake/messages", response={200: InboundMessageList, **ERRORS})
def get_messages(request, status: str = Query("", max_length=20), kind: str = Query("", max_length=20),
                 cursor: str | None = None, limit: int = Query(50, ge=1, le=100)):
    """Everything that arrived, newest first; `status=quarantined` is the quarantine."""
    if status and status not in InboundStatus.values:
        raise InvalidInput("Invalid status", {"status": f"one of {', '.join(InboundStatus.values)}"})
    if kind and kind not in InboundKind.values:
        raise InvalidInput("Invalid kind", {"kind": f"one of {', '.join(InboundKind.values)}"})
    items, next_cursor = list_inbound_messages(request.auth, status=status, kind=kind, cursor=cursor, limit=limit)
    return {"items": [message_out(m) for m in items], "next_cursor": next_cursor}


@router.get("/intake/messages/{int:message_id}", response={200: InboundMessageOut, **ERRORS})
def get_message(request, message_id: int):
    return message_out(get_inbound_message(request.auth, message_id))


@router.post("/intake/messages/{int:message_id}/retry", response={200: InboundMessageOut, **ERRORS})
def retry_message(request, message_id: int):
    message = get_inbound_message(request.auth, message_id)
    do_retry_message(message)
    return message_out(get_inbound_message(request.auth, message_id))


def integration_out(integration, *, with_secret: bool = False) -> dict:
    return {
        "id": integration.pk, "slug": integration.slug, "source": integration.source,
        "organization_id": integration.organization_id, "resolve_mode": integration.resolve_mode,
        "customer_label": integration.customer_label,
        "url": f"{settings.BASE_URL}/api/v1/intake/alerts/{integration.slug}",
        "secret": integration_secret(integration.slug, integration.secret_salt) if with_secret else None,
    }


@router.get("/intake/integrations", response={200: list[IntegrationOut], **ERRORS})
def get_integrations(request):
    return [integration_out(i) for i in list_integrations(request.auth)]


@router.post("/intake/integrations", response={201: IntegrationOut, **ERRORS})
def create_integration(request, payload: IntegrationIn):
    list_integrations(request.auth)  # the permission check
    organization = None
    if payload.organization_id is not None:
        organization = Organization.objects.filter(pk=payload.organization_id).first()
        if organization is None:
            raise InvalidInput("Unknown organization", {"organization_id": "does not exist"})
    integration = do_create_integration(
        slug=payload.slug, source=payload.source, organization=organization,
        resolve_mode=payload.resolve_mode, customer_label=payload.customer_label,
    )
    return Status(201, integration_out(integration, with_secret=True))


@router.post("/intake/integrations/{slug}/rotate", response={200: IntegrationOut, **ERRORS})
def rotate_integration_secret(request, slug: str):
    from tierline.errors import NotFound

    found = [i for i in list_integrations(request.auth) if i.slug == slug]
    if not found:
        raise NotFound("Integration not found")
    return integration_out(do_rotate_integration_secret(found[0]), with_secret=True)


@router.get("/intake/issues/{key}/similar", response={200: list[SimilarIssueOut], **ERRORS})
def get_similar_issues(request, key: str, limit: int = Query(10, ge=1, le=50)):
    """Issues that look like this one, open and resolved, best first (staff only)."""
    from tierline.accounts.permissions import has_perm, scope_issues
    from tierline.errors import PermissionDenied
    from tierline.issues.models import Issue
    from tierline.issues.queries import get_issue_for_user

    from .similar import similar_issues

    issue = get_issue_for_user(request.auth, key)
    if not has_perm(request.auth, "issue.view_all"):
        raise PermissionDenied("Only staff can see similar issues")
    found = similar_issues(issue, limit=limit, visible=scope_issues(request.auth, Issue.objects.all()))
    return [{"key": s.issue.key, "title": s.issue.title, "status": s.issue.status, "score": s.score} for s in found]


@router.post("/intake/reviews", response={200: ReviewsImported, **ERRORS})
def import_reviews(request, payload: ReviewsIn):
    """Import an app-store or Google Play review export, or a mention feed (see
    `tierline/intake/reviews.py` for the columns). Low ratings and negative mentions become issues;
    sending the same export again creates nothing."""
    from .actions import do_import_reviews
    from .reviews import read_reviews

    list_integrations(request.auth)  # the permission check (admins)
    try:
        reviews = read_reviews(payload.data.encode(), default_source=payload.source)
    except ValueError as error:
        raise InvalidInput(f"Not a review export: {error}", {"data": str(error)[:200]}) from None
    return do_import_reviews(reviews, actor=request.auth)
