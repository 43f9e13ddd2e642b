"""Satisfaction surveys: when an issue is resolved, its requester gets an email whose links rate the
resolution in one click, with no login.

A link carries a signed token (Django's signing: HMAC under the server's secret key, with the time
it was made, refused after `SATISFACTION_LINK_DAYS`) naming the issue and its resolution round (the
issue's `resolved_at`), so a link cannot be guessed, and one from an earlier round rates that round,
never the issue's current one. `do_rate_issue` keeps one rating per issue and round: rating again
changes it.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from tierline.errors import InvalidInput, NotFound
from tierline.issues.models import EventKind, Issue, IssueEvent, Status
from tierline.issues.signals import send_events_recorded

from .models import Rating, SatisfactionRating

SALT = "tierline.notify.satisfaction"
MAX_COMMENT = 4000


def make_rating_token(issue: Issue) -> str:
    return signing.dumps({"i": issue.pk, "r": issue.resolved_at.isoformat()}, salt=SALT, compress=True)


def read_rating_token(token: str) -> tuple[int, datetime]:
    """(issue id, resolution round) of a valid token; NotFound for a forged, damaged or expired one."""
    try:
        found = signing.loads(token, salt=SALT, max_age=settings.SATISFACTION_LINK_DAYS * 86400)
        return int(found["i"]), datetime.fromisoformat(found["r"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("This rating link is not valid any more") from None


def rating_for_token(token: str) -> SatisfactionRating | None:
    issue_id, round_at = read_rating_token(token)
    return SatisfactionRating.objects.select_related("issue").filter(issue_id=issue_id, resolved_at=round_at).first()


def issue_for_token(token: str) -> Issue:
    issue_id, _ = read_rating_token(token)
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None:
        raise NotFound("This rating link is not valid any more")
    return issue


def rating_url(issue: Issue, rating: str) -> str:
    return f"{settings.BASE_URL}{reverse('notify-rate', args=[make_rating_token(issue)])}?rating={rating}"


def survey_message(issue: Issue) -> str:
    return "\n".join([
        f"We have resolved {issue.key} \"{issue.title}\".", "",
        "How did we do? One click is enough:", "",
        f"  Good: {rating_url(issue, Rating.GOOD)}",
        f"  Bad:  {rating_url(issue, Rating.BAD)}", "",
        "If the problem is not solved, reply to this email and we will reopen the issue.",
    ])


# A resolution written with an older time is history being imported (the demo, a migration from another
# desk): its customer is not asked about it now.
HISTORY = timedelta(hours=1)


def resolutions(events) -> dict[int, datetime]:
    """The issues among these timeline events that were just resolved, with their round."""
    found, recent = {}, timezone.now() - HISTORY
    for event in events:
        if (event.kind == EventKind.STATUS_CHANGED and (event.data or {}).get("to") == Status.RESOLVED
                and event.created_at >= recent):
            # The issue the action holds carries its resolution time; a bare event's time is the same.
            issue = event._state.fields_cache.get("issue")
            found[event.issue_id] = (issue.resolved_at if issue is not None else None) or event.created_at
    return found


def do_rate_issue(token: str, *, rating: str, comment: str | None = None,
                  at: datetime | None = None) -> SatisfactionRating:
    """Record (or change) the rating of the round the token names; `comment` None keeps the old one."""
    if rating not in Rating.values:
        raise InvalidInput("Choose a rating", {"rating": f"one of {', '.join(Rating.values)}"})
    issue_id, round_at = read_rating_token(token)
    now = at or timezone.now()
    with transaction.atomic():
        issue = Issue.objects.select_related("requester").filter(pk=issue_id).first()
        if issue is None:
            raise NotFound("This rating link is not valid any more")
        found = SatisfactionRating.objects.select_for_update().filter(issue=issue, resolved_at=round_at).first()
        if found is None:
            try:
                with transaction.atomic():
                    found = SatisfactionRating.objects.create(
                        issue=issue, resolved_at=round_at, rating=rating, comment=(comment or "").strip()[:MAX_COMMENT],
                        contact=issue.requester, team_id=issue.team_id, priority=issue.priority,
                        rated_at=now, updated_at=now)
            except IntegrityError:  # the other click of a double click won
                found = SatisfactionRating.objects.select_for_update().get(issue=issue, resolved_at=round_at)
            else:
                _record_rated(issue, found, now)
                return found
        changed = found.rating != rating or (comment is not None and comment.strip()[:MAX_COMMENT] != found.comment)
        if changed:
            found.rating, found.updated_at = rating, now
            if comment is not None:
                found.comment = comment.strip()[:MAX_COMMENT]
            found.save(update_fields=["rating", "comment", "updated_at"])
            _record_rated(issue, found, now)
    return found


def _record_rated(issue: Issue, rated: SatisfactionRating, now: datetime) -> None:
    event = IssueEvent.objects.create(
        issue=issue, kind=EventKind.SATISFACTION_RATED, actor_contact=rated.contact, created_at=now,
        data={"rating": rated.rating, "round": rated.resolved_at.isoformat(), "has_comment": bool(rated.comment)})
    send_events_recorded(SatisfactionRating, [event])
