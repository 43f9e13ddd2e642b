"""Every write of intake: store what arrived, then turn it into issue work in the worker.

`do_receive_message` stores the raw bytes and enqueues processing; `do_process_message` reads a
stored message and creates or joins issues through `tierline.issues.actions`, or marks it ignored
(noise, replays) or quarantined (with the reason). Admins retry quarantined messages with
`do_retry_message`. Mail and alert specifics live in `mail_intake.py` and `alert_intake.py`.
"""

import hashlib
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from tierline.errors import ActionError, InvalidInput
from tierline.issues.models import Comment, Issue

from .models import (
    AlertIntegration,
    AlertSource,
    InboundKind,
    InboundMessage,
    InboundStatus,
    MailDirection,
    MailThreadId,
    ResolveMode,
)
from .secrets import new_salt


def do_receive_message(*, kind: str, source: str, raw: bytes,
                       integration: AlertIntegration | None = None) -> InboundMessage:
    """Keep the message exactly as it came, then let the worker process it."""
    from .tasks import process_inbound_message

    # One INSERT is its own transaction: no BEGIN and COMMIT around it (two round trips on every
    # post). Outside a transaction on_commit enqueues at once, after the row is committed; inside
    # a caller's, once the caller commits.
    message = InboundMessage.objects.create(
        kind=kind, source=source[:100], raw=raw, sha256=hashlib.sha256(raw).hexdigest(),
        integration=integration,
    )
    transaction.on_commit(lambda: process_inbound_message(message.pk))
    return message


def do_process_message(message: InboundMessage) -> InboundMessage:
    """Process a stored message once; any failure quarantines it with the reason. An alert payload
    is processed with every other payload pending for its integration (`_drain_alert_payloads`)."""
    if message.status in (InboundStatus.PROCESSED, InboundStatus.IGNORED):
        return message
    if message.kind == InboundKind.ALERT and message.integration_id is not None:
        _drain_alert_payloads(message)
        return message
    return _process_alone(message)


def _process_alone(message: InboundMessage) -> InboundMessage:
    from .alert_intake import process_alert_payloads
    from .mail_intake import process_email

    if message.kind == InboundKind.EMAIL:
        process = process_email
    else:
        def process(message):
            # Locked first, so a payload another worker's batch holds is not processed twice.
            if InboundMessage.objects.select_for_update().filter(pk=message.pk, status=InboundStatus.PENDING
                                                                 ).values_list("pk").first() is not None:
                process_alert_payloads(message.integration, [message])
    try:
        _in_transaction_joining_concurrent_rows(process, message)
    except Exception as error:  # noqa: BLE001 - anything unexpected is kept for an admin, not lost
        _finish(message, InboundStatus.QUARANTINED, failure_reason(error))
    return message


def _in_transaction_joining_concurrent_rows(process, *args) -> None:
    try:
        with transaction.atomic():
            process(*args)
    except IntegrityError:
        # Another worker created the same alert group or thread id a moment before: its row
        # is committed now, so a second attempt joins it instead of quarantining the message.
        with transaction.atomic():
            process(*args)


DRAIN_PAYLOADS = 100  # payloads of one integration processed in one transaction
OUTCOME_FIELDS = ["status", "reason", "attempts", "processed_at", "subject", "issue_id"]


def _drain_alert_payloads(message: InboundMessage) -> None:
    """Process the payloads pending for the message's integration, oldest first, DRAIN_PAYLOADS
    to a transaction, until the message itself is done: what the sender's retries and bursts
    queued costs one batch instead of one transaction each, and later tasks for the same payloads
    find them processed. When a batch fails, its payloads are processed one by one, so only a
    payload that fails alone is quarantined."""
    from .alert_intake import pending_alert_payloads, process_alert_payloads

    integration = _integration_of(message)

    def process_batch(taken: list[InboundMessage]) -> None:
        taken[:] = pending_alert_payloads(integration, DRAIN_PAYLOADS)
        if taken:
            process_alert_payloads(integration, taken,
                                   replays={p.sha256: p.replay_of for p in taken if p.replay_of})

    while True:
        taken: list[InboundMessage] = []
        try:
            _in_transaction_joining_concurrent_rows(process_batch, taken)
        except Exception:  # noqa: BLE001 - one bad payload must not hold back the others
            failed = [p.pk for p in taken]
            for payload in InboundMessage.objects.select_related("integration").filter(
                    pk__in=failed, status=InboundStatus.PENDING).order_by("received_at", "id"):
                _process_alone(payload)
            if message.pk not in failed:
                continue  # the message is further down the queue
            taken = []
        done = next((p for p in taken if p.pk == message.pk), None)
        if done is not None:
            for name in OUTCOME_FIELDS:
                setattr(message, name, getattr(done, name))
            return
        if not taken:
            # Taken by another worker's batch (PostgreSQL skips rows locked by others): wait for
            # it to commit, then read what it did.
            with transaction.atomic():
                list(InboundMessage.objects.select_for_update().filter(pk=message.pk).values_list("pk"))
            message.refresh_from_db(fields=OUTCOME_FIELDS)
            return


def _integration_of(message: InboundMessage) -> AlertIntegration | None:
    """The message's integration, as loaded with it or else in plain SQL: the task reads a message
    alone, once per payload, and the related-object query costs more to build than to run."""
    from tierline.bulk import read_rows

    if not InboundMessage._meta.get_field("integration").is_cached(message):
        found = read_rows(AlertIntegration, "SELECT * FROM intake_alertintegration WHERE id = %s",
                          [message.integration_id])
        message.integration = found[0] if found else None
    return message.integration


FORGOTTEN_AFTER = timedelta(minutes=5)


def do_process_forgotten_alert_payloads(now: datetime | None = None) -> int:
    """Drain the integrations whose payloads are still pending long after they arrived: their task
    was lost (a worker stopped in the middle of it). Returns how many integrations were drained."""
    from django.db.models import Min

    cutoff = (now or timezone.now()) - FORGOTTEN_AFTER
    oldest = (InboundMessage.objects.filter(status=InboundStatus.PENDING, kind=InboundKind.ALERT,
                                            received_at__lt=cutoff, integration__isnull=False)
              .order_by().values("integration_id").annotate(first=Min("id")).values_list("first", flat=True))
    drained = 0
    for message in InboundMessage.objects.select_related("integration").filter(pk__in=list(oldest)):
        if message.status == InboundStatus.PENDING:
            do_process_message(message)
            drained += 1
    return drained


def failure_reason(error: Exception) -> str:
    if isinstance(error, ActionError):
        return _describe(error)
    return f"{type(error).__name__}: {error}"[:2000]


def _describe(error: ActionError) -> str:
    fields = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
    return f"{error.detail} ({fields})" if fields else error.detail


def note_outcome(message: InboundMessage, status: str, reason: str = "", **fields) -> None:
    """Set the outcome of one processing attempt on the message; the caller saves it."""
    message.status, message.reason = status, reason[:2000]
    message.attempts += 1
    message.processed_at = timezone.now()
    for name, value in fields.items():
        setattr(message, name, value)


def _finish(message: InboundMessage, status: str, reason: str = "", **fields) -> None:
    """Record the outcome of one processing attempt."""
    note_outcome(message, status, reason, **fields)
    # What was read of the message is kept even when it is quarantined (for the list, throttling).
    message.save(update_fields=[*{"status", "reason", "attempts", "processed_at", "sender", "subject",
                                   "message_id", *fields}])


def do_retry_message(message: InboundMessage) -> InboundMessage:
    if message.status != InboundStatus.QUARANTINED:
        raise InvalidInput("Only quarantined messages can be retried", {"status": message.status})
    with transaction.atomic():
        InboundMessage.objects.filter(pk=message.pk).update(status=InboundStatus.PENDING)
    message.status = InboundStatus.PENDING
    return do_process_message(message)


def do_remember_mail_id(*, message_id: str, issue: Issue, comment: Comment | None, direction: str,
                        recipient: str = "") -> MailThreadId | None:
    """Note that a Message-ID belongs to an issue's conversation (first writer wins)."""
    if not message_id:
        return None
    with transaction.atomic():
        thread_id, _ = MailThreadId.objects.get_or_create(
            message_id=message_id[:500],
            defaults={"issue": issue, "comment": comment, "direction": direction, "recipient": recipient[:320]},
        )
    return thread_id


def outbound_headers(issue: Issue) -> dict[str, str]:
    """In-Reply-To and References for mail we send about an issue, so the customer's mail client
    keeps one conversation and their reply names ids we know."""
    ids = list(MailThreadId.objects.filter(issue=issue).order_by("created_at", "id")
               .values_list("message_id", flat=True)[:50])
    if not ids:
        return {}
    inbound = list(MailThreadId.objects.filter(issue=issue, direction=MailDirection.IN)
                   .order_by("-created_at", "-id").values_list("message_id", flat=True)[:1])
    return {"In-Reply-To": (inbound or ids[-1:])[0], "References": " ".join(ids)}


def do_create_integration(*, slug: str, source: str, organization=None,
                          resolve_mode: str = ResolveMode.RESOLVE,
                          customer_label: str = "customer") -> AlertIntegration:
    from django.utils.text import slugify

    clean = slugify(slug)[:50]
    if not clean:
        raise InvalidInput("An integration needs a name", {"slug": "required"})
    if source not in AlertSource.values:
        raise InvalidInput("Unknown alert source", {"source": f"one of {', '.join(AlertSource.values)}"})
    if resolve_mode not in ResolveMode.values:
        raise InvalidInput("Unknown resolve mode", {"resolve_mode": f"one of {', '.join(ResolveMode.values)}"})
    with transaction.atomic():
        if AlertIntegration.objects.filter(slug=clean).exists():
            raise InvalidInput("An integration with this name exists", {"slug": "already taken"})
        return AlertIntegration.objects.create(
            slug=clean, source=source, secret_salt=new_salt(), organization=organization,
            resolve_mode=resolve_mode, customer_label=customer_label[:100] or "customer",
        )


def do_rotate_integration_secret(integration: AlertIntegration) -> AlertIntegration:
    with transaction.atomic():
        integration.secret_salt = new_salt()
        integration.save(update_fields=["secret_salt"])
    return integration


def received_since(sender: str, since: datetime) -> int:
    return InboundMessage.objects.filter(kind=InboundKind.EMAIL, sender=sender, received_at__gte=since).count()


def do_import_reviews(reviews, *, actor=None) -> dict[str, int]:
    """Low ratings and negative mentions become issues on channel `review` or `social`; every row
    is remembered, so importing the same export again creates nothing."""
    from tierline.issues.actions import do_create_issue

    from .models import ImportedReview
    from .reviews import needs_attention

    counts = {"issues": 0, "ignored": 0, "already_imported": 0}
    for review in reviews:
        with transaction.atomic():
            if ImportedReview.objects.filter(source=review.source, external_id=review.external_id).exists():
                counts["already_imported"] += 1
                continue
            issue = None
            if needs_attention(review):
                stars = f"{review.rating}★ " if review.rating else ""
                title = review.title or review.text.split("\n")[0][:120] or "Review"
                details = [review.text, f"{stars}{review.source} review by {review.author or 'anonymous'}"
                           f"{' on ' + review.written_at if review.written_at else ''}"]
                if review.url:
                    details.append(review.url)
                issue = do_create_issue(
                    actor=actor, title=f"{stars}{title}"[:300], description="\n\n".join(details),
                    channel=review.channel, severity=3 if (review.rating or 3) > 1 else 2,
                )
                counts["issues"] += 1
            else:
                counts["ignored"] += 1
            ImportedReview.objects.create(source=review.source, external_id=review.external_id,
                                          rating=review.rating, issue=issue)
    return counts


def do_link_near_duplicate(issue: Issue, *, match_id: int, similarity: float):
    """Link `issue` to the open problem its near-duplicate is linked to, through the escalation
    action, with an internal note saying why. Nothing happens when the match has no problem."""
    from tierline.escalation.models import ProblemLink, ProblemStatus
    from tierline.escalation.problems import do_link_issue_to_problem
    from tierline.issues.actions import do_add_comment

    link = (ProblemLink.objects.select_related("problem", "issue").filter(issue_id=match_id)
            .exclude(problem__status=ProblemStatus.CLOSED).order_by("-linked_at", "-id").first())
    if link is None:
        return None
    with transaction.atomic():
        created = do_link_issue_to_problem(link.problem, issue, actor=None)
        do_add_comment(issue, is_public=False, notify=False, body=(
            f"Linked to {link.problem} automatically: {similarity:.0%} similar to {link.issue.key} "
            f"(\"{link.issue.title}\"), which is linked to it. Unlink it from the problem if it is not the same cause."
        ))
    return created
