"""Demo planning data: each team's unplanned-work budget (one raised mid-way, one per two-week
sprint), and the time engineers logged on the issues that reached their teams over the demo's
months, written through the actions with historical timestamps. Called at the end of the seed."""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from tierline.accounts.models import Team
from tierline.issues.models import EventKind, Issue, IssueEvent

from .actions import do_log_time, do_set_team_budget

# slug, hours, period in weeks, days ago it starts, reason
BUDGETS = [
    ("support-desk", 60, 1, 190, "Two agents, about three quarters of their week on issues"),
    ("support-specialists", 30, 1, 190, "Half of the specialists' week"),
    ("operations", 12, 1, 190, "On-call rota plus escalations"),
    ("platform", 16, 2, 190, "A day per engineer per sprint"),
    ("platform", 24, 2, 56, "Raised after the billing migration's escalations"),
    ("core", 8, 1, 190, "Core keeps escalations to one day a week"),
]
# Minutes an engineer logs in one sitting, by tier: engineering sittings run longer.
SITTINGS = {2: [20, 30, 45, 60], 3: [30, 45, 60, 90, 120], 4: [60, 90, 120, 180, 240], 5: [60, 120, 180, 240, 300]}
NOTES = ["Reproduced locally", "Read the logs and traces", "Pairing with the customer's engineer",
         "Wrote the fix and a test", "Checked the deployment's configuration", "Looked for similar reports"]


def seed_planning(*, rng: random.Random, now: datetime) -> None:
    teams = {t.slug: t for t in Team.objects.all()}
    for slug, hours, period, days_ago, reason in BUDGETS:
        if slug in teams:
            do_set_team_budget(teams[slug], actor=None, hours=hours, period_weeks=period, reason=reason,
                               starts_on=timezone.localdate(now - timedelta(days=days_ago)))
    by_id = {t.pk: t for t in teams.values()}
    moves = list(IssueEvent.objects.filter(kind=EventKind.TEAM_CHANGED).order_by("created_at", "id")
                 .values_list("issue_id", "created_at", "data"))
    issues = Issue.objects.select_related("assignee").in_bulk([issue_id for issue_id, _, _ in moves])
    for issue_id, moved_at, data in moves:
        team = by_id.get((data.get("to") or {}).get("id"))
        issue = issues[issue_id]
        if team is None or team.tier < 2 or issue.assignee is None or (team.tier == 2 and rng.random() < 0.5):
            continue
        for _ in range(rng.randint(1, 2 + team.tier // 2)):
            moved_at += timedelta(hours=rng.uniform(2, 30))
            if moved_at >= now:
                break
            do_log_time(issue, actor=issue.assignee, team=team, minutes=rng.choice(SITTINGS[team.tier]),
                        spent_on=timezone.localdate(moved_at), note=rng.choice(NOTES), at=moved_at)
