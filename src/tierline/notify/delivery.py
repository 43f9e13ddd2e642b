"""Sending webhook deliveries, safely for the server: `post` and the worker's attempts.

`post` speaks plain `http.client`: it never follows a redirect (a 3xx is a failure, so nothing
sends our body on to another host), gives up after `WEBHOOK_TIMEOUT_SECONDS` however slowly the
endpoint drips its answer, and reads at most `WEBHOOK_MAX_RESPONSE_BYTES` of it.

`do_deliver_due_webhooks` claims due deliveries a few at a time (a claim pushes `next_attempt_at`
past the time an attempt can take, so two workers never send one delivery at once), sends each,
and writes the outcome: delivered, or the next attempt after BACKOFF, or `failed` once the
schedule (about a day) is spent.
"""

import http.client
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tierline.issues.models import Issue

from .formats import render_body
from .models import DeliveryStatus, WebhookDelivery
from .webhooks import check_url, due_deliveries, endpoint_secret, refused_destination, sign

logger = logging.getLogger(__name__)

# Seconds to wait after each failed attempt; after the last one the delivery is `failed`.
BACKOFF = (10, 60, 300, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600)
CLAIM = 50  # deliveries claimed per round


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str = ""

    @property
    def is_delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float | None = None,
         max_bytes: int | None = None) -> Outcome:
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS if timeout is None else timeout
    max_bytes = settings.WEBHOOK_MAX_RESPONSE_BYTES if max_bytes is None else max_bytes
    try:
        parts = urlsplit(check_url(url))
    except Exception as error:  # an endpoint stored before a rule tightened
        return Outcome(None, str(error))
    refusal = refused_destination(parts.hostname, parts.port)
    if refusal:  # checked on every attempt: a name can be pointed elsewhere after it was saved
        return Outcome(None, refusal)
    deadline = time.monotonic() + timeout
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers={**headers, "Content-Length": str(len(body))})
        response = connection.getresponse()
        read = 0
        while read < max_bytes and time.monotonic() < deadline:
            chunk = response.read1(min(1024, max_bytes - read))
            if not chunk:
                break
            read += len(chunk)
        if 300 <= response.status < 400:
            return Outcome(response.status, "redirect not followed")
        if time.monotonic() >= deadline:
            return Outcome(response.status, "answer too slow") if response.status >= 300 else Outcome(response.status)
        return Outcome(response.status, "" if 200 <= response.status < 300 else f"answered {response.status}")
    except (OSError, http.client.HTTPException) as error:
        return Outcome(None, f"{type(error).__name__}: {error}"[:300])
    finally:
        connection.close()


def _body(delivery: WebhookDelivery) -> str:
    issue = (Issue.objects.select_related("organization", "team").filter(pk=delivery.issue_id).first()
             if delivery.issue_id else None)
    return render_body(delivery, issue, delivery.endpoint.format)


def do_attempt_delivery(delivery: WebhookDelivery, *, now: datetime | None = None) -> Outcome:
    """Send one claimed delivery and record how it went."""
    if not delivery.body:
        delivery.body = _body(delivery)
        delivery.save(update_fields=["body"])
    body = delivery.body.encode()
    timestamp = str(int(time.time()))
    outcome = post(delivery.endpoint.url, body, {
        "Content-Type": "application/json", "User-Agent": "Tierline-Webhooks/1",
        "X-Tierline-Event": delivery.event, "X-Tierline-Delivery": str(delivery.pk),
        "X-Tierline-Timestamp": timestamp, "X-Tierline-Signature": sign(endpoint_secret(delivery.endpoint), body),
    })
    now = now or timezone.now()
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error = outcome.status_code, outcome.error[:300]
    if outcome.is_delivered:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, now, None
    elif delivery.attempts > len(BACKOFF):
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    else:
        delivery.next_attempt_at = now + timedelta(seconds=BACKOFF[delivery.attempts - 1])
    delivery.save(update_fields=["attempts", "last_status_code", "last_error", "status", "delivered_at",
                                 "next_attempt_at"])
    if not outcome.is_delivered:
        logger.info("webhook delivery %s to %s: %s", delivery.pk, delivery.endpoint.url, outcome.error)
    return outcome


def _claim(now: datetime) -> list[WebhookDelivery]:
    lease = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 2 + 30)
    with transaction.atomic():
        rows = list(due_deliveries(now, CLAIM).select_related("endpoint").select_for_update(of=("self",)))
        if rows:
            WebhookDelivery.objects.filter(pk__in=[r.pk for r in rows]).update(next_attempt_at=lease)
    return rows


def do_deliver_due_webhooks(*, now: datetime | None = None) -> int:
    """Attempt every delivery due now, a claim at a time; returns how many were attempted."""
    attempted = 0
    while True:
        claimed = _claim(now or timezone.now())
        if not claimed:
            return attempted
        for delivery in claimed:
            do_attempt_delivery(delivery, now=now)
            attempted += 1



def seconds_to_next_retry() -> float | None:
    """How long until the next pending delivery comes due, or None when none waits."""
    soonest = (WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).order_by("next_attempt_at")
               .values_list("next_attempt_at", flat=True).first())
    return None if soonest is None else max(0.0, (soonest - timezone.now()).total_seconds())
