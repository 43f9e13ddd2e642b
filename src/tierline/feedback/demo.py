"""Demo feature requests: issues of the demo history marked as requests through the actions, one
duplicate merged, one request planned and one shipped (its customers not told yet, so the demo
shows "Tell N customers"). Called at the end of `tierline demo`'s seed."""

from datetime import datetime, timedelta

from tierline.accounts.models import User
from tierline.issues.models import Issue

from .actions import (
    do_create_feature_request,
    do_mark_feature_request,
    do_merge_feature_requests,
    do_update_feature_request,
)

# request title, description, status, the demo issue titles that ask for it, issues per title
REQUESTS = [
    ("Exports without a row limit", "Customers export more than 10,000 rows at once, by CSV or the API.", "planned",
     ["Export to CSV truncates at 10,000 rows"], 6),
    ("Reports in each viewer's own time zone", "Charts and scheduled reports follow the reader's time zone.", "open",
     ["Charts show data in the wrong time zone"], 5),
    ("Bill only the seats in use", "Deactivated users stop counting as billed seats on the same day.", "shipped",
     ["Seat count does not match active users"], 4),
    ("Offline edits that always sync", "Edits made offline in the mobile app are kept and synced on reconnect.", "open",
     ["Offline mode loses edits"], 4),
]
# A second request for the same thing, merged into the first by a support specialist.
DUPLICATE = ("Seats follow deactivated users", "Seat count does not match active users", 2)


def _asking(title: str, count: int, taken: set[int]) -> list[Issue]:
    """Issues with this title from different customers first, oldest first."""
    chosen, orgs = [], set()
    for issue in Issue.objects.filter(title=title).exclude(pk__in=taken).order_by("created_at", "id"):
        if issue.organization_id not in orgs or len(orgs) >= count:
            chosen.append(issue)
            orgs.add(issue.organization_id)
        if len(chosen) == count:
            break
    taken.update(i.pk for i in chosen)
    return chosen


def seed_feedback(*, now: datetime) -> None:
    lead = User.objects.filter(role="support_t2").order_by("id").first()
    taken: set[int] = set()
    made = {}
    for title, description, status, issue_titles, count in REQUESTS:
        issues = [i for t in issue_titles for i in _asking(t, count, taken)]
        if not issues:
            continue
        first = min(i.created_at for i in issues) + timedelta(hours=2)
        request = do_create_feature_request(actor=lead, title=title, description=description,
                                            component=issues[0].component, at=min(first, now))
        for issue in issues:
            do_mark_feature_request(issue, actor=lead, request=request,
                                    at=min(issue.created_at + timedelta(hours=2), now))
        if status != "open":
            do_update_feature_request(request, actor=lead, status=status, at=now)
        made[title] = request
    title, issue_title, count = DUPLICATE
    issues = _asking(issue_title, count, taken)
    target = made.get("Bill only the seats in use")
    if issues and target is not None:
        duplicate = do_create_feature_request(actor=lead, title=title, component=issues[0].component,
                                              at=min(issues[0].created_at + timedelta(hours=1), now))
        for issue in issues:
            do_mark_feature_request(issue, actor=lead, request=duplicate,
                                    at=min(issue.created_at + timedelta(hours=1), now))
        do_merge_feature_requests(duplicate, into=target, actor=lead, at=now,
                                  reason="Both ask that deactivated users stop counting as billed seats")
