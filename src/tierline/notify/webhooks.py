"""Outgoing webhooks: admins' endpoints, and the outbox that turns issue events into deliveries.

Endpoints are written by `do_create_webhook`, `do_update_webhook`, `do_rotate_webhook_secret` and
`do_delete_webhook` (each audited). An endpoint's signing secret is derived from the server's secret
key and the endpoint's salt, like alert integrations' (`intake/secrets.py`): shown once, never stored.

`queue_webhook_deliveries` listens to the issues app's `events_recorded` signal, inside the
transaction that writes the events, and writes one `WebhookDelivery` per event and subscribed
endpoint there: an event that commits has its deliveries, one rolled back has none. Which events
any active endpoint wants is cached (Django's cache, shared through Redis when there is one; without
Redis a marker file in the data directory tells each process the endpoints changed), so an event
nobody subscribed to costs no query.
"""

import hashlib
import hmac
import ipaddress
import secrets as _random
import socket
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from tierline.accounts.models import User
from tierline.audit.actions import AuditAction, do_record_audit
from tierline.errors import InvalidInput
from tierline.issues.models import EventKind, Status

from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookFormat

# The issue events an endpoint may ask for: the timeline's kinds a receiving system acts on.
WEBHOOK_EVENTS = ("issue.created", "issue.status_changed", "issue.resolved", "issue.reopened", "issue.escalated",
                  "issue.commented", "issue.sla_breached", "issue.fix_shipped", "issue.satisfaction_rated")
TEST_EVENT = "ping"
_KIND_TO_EVENT = {
    EventKind.CREATED: "issue.created", EventKind.REOPENED: "issue.reopened", EventKind.ESCALATED: "issue.escalated",
    EventKind.COMMENTED: "issue.commented", EventKind.SLA_BREACHED: "issue.sla_breached",
    EventKind.FIX_SHIPPED: "issue.fix_shipped", EventKind.SATISFACTION_RATED: "issue.satisfaction_rated",
}
CACHE_KEY = "notify.webhook-events.v2"
STAMP_FILE = "webhook-endpoints.changed"
EDITABLE = frozenset({"name", "url", "events", "format", "is_active"})


def webhook_event(event) -> str | None:
    """The webhook event name of a timeline event, or None when no endpoint may ask for it."""
    if event.kind == EventKind.STATUS_CHANGED:
        return "issue.resolved" if (event.data or {}).get("to") == Status.RESOLVED else "issue.status_changed"
    return _KIND_TO_EVENT.get(event.kind)


def endpoint_secret(endpoint: WebhookEndpoint) -> str:
    key = settings.SECRET_KEY.encode()
    return "tlw_" + hmac.new(key, f"webhook-endpoint:{endpoint.salt}".encode(), hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("A webhook URL must be http(s)://host/...", {"url": "an http or https URL"})
    if parts.username or parts.password:
        raise InvalidInput("Put no credentials in the URL: the signature proves the sender",
                           {"url": "no user:password@"})
    if len(url) > 500:
        raise InvalidInput("The URL is too long", {"url": "at most 500 characters"})
    if not settings.WEBHOOK_ALLOW_PRIVATE and (parts.hostname == "localhost" or _is_private(parts.hostname)):
        raise InvalidInput("Webhooks go to public addresses only", {"url": PRIVATE_REFUSAL})
    return url


PRIVATE_REFUSAL = "a public address (TIERLINE_WEBHOOK_ALLOW_PRIVATE=1 allows private ones)"


def _is_private(address: str) -> bool:
    try:
        return not ipaddress.ip_address(address).is_global
    except ValueError:  # a name, not an address
        return False


def refused_destination(host: str, port: int | None) -> str | None:
    """Why a delivery may not go to `host` (None when it may): every address the name resolves to
    must be public, unless private ones are allowed."""
    if settings.WEBHOOK_ALLOW_PRIVATE:
        return None
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)}
    except OSError as error:
        return f"cannot resolve {host}: {error}"[:300]
    private = sorted(a for a in addresses if _is_private(a.split("%")[0]))
    return f"refused: {host} resolves to {', '.join(private)}, not {PRIVATE_REFUSAL}" if private else None


def _check(changes: dict) -> dict:
    if "name" in changes:
        changes["name"] = " ".join((changes["name"] or "").split())[:100]
        if not changes["name"]:
            raise InvalidInput("A webhook needs a name", {"name": "required"})
    if "url" in changes:
        changes["url"] = check_url(changes["url"])
    if "events" in changes:
        events = list(dict.fromkeys(changes["events"] or []))
        unknown = [e for e in events if e not in WEBHOOK_EVENTS]
        if unknown or not events:
            raise InvalidInput("Choose the events to send", {"events": f"some of {', '.join(WEBHOOK_EVENTS)}"})
        changes["events"] = events
    if "format" in changes and changes["format"] not in WebhookFormat.values:
        raise InvalidInput("Invalid format", {"format": f"one of {', '.join(WebhookFormat.values)}"})
    return changes


def _stamp() -> int | None:
    """When the endpoints last changed, as the marker file's time: without Redis each web process has
    its own cache, and this one stat (no query) tells a process that another one changed them."""
    if settings.REDIS_URL:
        return None  # the cache itself is shared
    try:
        return (settings.DATA_DIR / STAMP_FILE).stat().st_mtime_ns
    except OSError:
        return None


def subscribed_events() -> frozenset[str]:
    found = cache.get(CACHE_KEY)
    if found is None or found[0] != _stamp():
        return frozenset(_refresh_subscriptions())
    return frozenset(found[1])


def remember_subscriptions(names: list[str]) -> None:
    cache.set(CACHE_KEY, (_stamp(), sorted(names)), None)


def _refresh_subscriptions() -> list[str]:
    names = sorted({name for events in WebhookEndpoint.objects.filter(is_active=True).values_list("events", flat=True)
                    for name in events})
    remember_subscriptions(names)
    return names


def _changed_for_everyone() -> None:
    if not settings.REDIS_URL:
        (settings.DATA_DIR / STAMP_FILE).touch()
    _refresh_subscriptions()


def _subscriptions_changed() -> None:
    # Now, so this transaction's own events see it; after the commit again, for the other processes.
    _refresh_subscriptions()
    transaction.on_commit(_changed_for_everyone)


def _audit(action: str, endpoint: WebhookEndpoint, actor: User | None, **data) -> None:
    do_record_audit(action=action, actor=actor, target=endpoint, data={"name": endpoint.name, "url": endpoint.url,
                                                                        **data})


def do_create_webhook(*, actor: User | None, name: str, url: str, events: list[str], format: str = WebhookFormat.JSON,
                      is_active: bool = True) -> tuple[WebhookEndpoint, str]:
    """The endpoint and its signing secret (shown once)."""
    fields = _check({"name": name, "url": url, "events": events, "format": format})
    now = timezone.now()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(**fields, is_active=is_active, salt=_random.token_hex(16),
                                                  created_by=actor, created_at=now, updated_at=now)
        _audit(AuditAction.WEBHOOK_CREATED, endpoint, actor, events=endpoint.events, format=endpoint.format)
        _subscriptions_changed()
    return endpoint, endpoint_secret(endpoint)


def do_update_webhook(endpoint: WebhookEndpoint, *, actor: User | None, **changes) -> WebhookEndpoint:
    unknown = set(changes) - EDITABLE
    if unknown:
        raise InvalidInput("Unknown fields", {f: "cannot be changed" for f in sorted(unknown)})
    _check(changes)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        changed = {k: {"from": getattr(endpoint, k), "to": v} for k, v in changes.items() if getattr(endpoint, k) != v}
        if changed:
            for name, value in changes.items():
                setattr(endpoint, name, value)
            endpoint.updated_at = timezone.now()
            endpoint.save(update_fields=[*changes, "updated_at"])
            _audit(AuditAction.WEBHOOK_CHANGED, endpoint, actor, changes=changed)
            _subscriptions_changed()
    return endpoint


def do_rotate_webhook_secret(endpoint: WebhookEndpoint, *, actor: User | None) -> str:
    """A new secret (the old one stops signing at once); shown once."""
    with transaction.atomic():
        endpoint.salt, endpoint.updated_at = _random.token_hex(16), timezone.now()
        endpoint.save(update_fields=["salt", "updated_at"])
        _audit(AuditAction.WEBHOOK_SECRET_ROTATED, endpoint, actor)
    return endpoint_secret(endpoint)


def do_delete_webhook(endpoint: WebhookEndpoint, *, actor: User | None) -> None:
    with transaction.atomic():
        _audit(AuditAction.WEBHOOK_REMOVED, endpoint, actor, events=endpoint.events)
        endpoint.delete()
        _subscriptions_changed()


def _queue_delivery_run() -> None:
    from .tasks import deliver_webhooks

    transaction.on_commit(lambda: deliver_webhooks())


def do_send_test_event(endpoint: WebhookEndpoint, *, actor: User | None) -> WebhookDelivery:
    """A `ping` delivery to this endpoint alone, active or not, through the same outbox."""
    now = timezone.now()
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=TEST_EVENT, occurred_at=now, next_attempt_at=now, created_at=now,
            data={"message": "A test event from Tierline", "sent_by": actor.display_name if actor else None})
        _queue_delivery_run()
    return delivery


def queue_webhook_deliveries(sender, events, **kwargs) -> None:
    named = [(name, event) for event in events if (name := webhook_event(event))]
    if not named:
        return
    wanted = subscribed_events()
    named = [(name, event) for name, event in named if name in wanted]
    if not named:
        return
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True).values_list("pk", "events"))
    now = timezone.now()
    rows = [WebhookDelivery(endpoint_id=pk, event=name, issue_id=event.issue_id, data=event.data or {},
                            occurred_at=event.created_at, next_attempt_at=now, created_at=now)
            for name, event in named for pk, subscribed in endpoints if name in subscribed]
    if rows:
        WebhookDelivery.objects.bulk_create(rows)
        _queue_delivery_run()


def due_deliveries(now: datetime, limit: int):
    return (WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[:limit])
