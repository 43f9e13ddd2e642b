from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import make_contact, make_issue, make_org, make_team
from tierline.issues.actions import do_update_issue
from tierline.issues.models import Status
from tierline.notify.csat import csat
from tierline.notify.surveys import do_rate_issue, make_rating_token

MONDAY = datetime(2026, 11, 23, 10, tzinfo=UTC)  # ISO week 48


@pytest.fixture
def history(db):
    """Eight rated resolutions over two weeks, two teams and three priorities; one rated twice."""
    org = make_org()
    billing, platform = make_team("Billing"), make_team("Platform")
    rows = [  # (days after MONDAY, team, priority, ratings in order)
        (0, billing, 1, ["good"]), (1, billing, 1, ["bad"]), (2, billing, 2, ["good"]),
        (3, platform, 0, ["bad", "good"]), (7, platform, 0, ["bad"]), (8, platform, 2, ["bad"]),
        (9, None, 2, ["good"]), (10, billing, 1, ["good"]),
    ]
    for days, team, priority, ratings in rows:
        at = MONDAY + timedelta(days=days)
        issue = make_issue(org, requester=make_contact(org), team=team, priority=priority, at=at - timedelta(hours=5))
        if team is None:
            do_update_issue(issue, actor=None, team=None, at=at - timedelta(hours=4))
        issue = do_update_issue(issue, actor=None, status=Status.RESOLVED, at=at)
        for n, rating in enumerate(ratings):
            do_rate_issue(make_rating_token(issue), rating=rating, at=at + timedelta(hours=1 + n))


def table(rows):
    return [(r.group, r.ratings, r.good, r.share_good) for r in rows]


def test_csat_per_week_counts_each_round_once_with_its_latest_rating(history):
    assert table(csat("week")) == [("2026-W48", 4, 3, 0.75), ("2026-W49", 4, 2, 0.5)]


def test_csat_per_team_and_per_priority(history):
    assert table(csat("team")) == [("Billing", 4, 3, 0.75), ("Platform", 3, 1, 0.3333), ("no team", 1, 1, 1.0)]
    assert table(csat("priority")) == [("P0", 2, 1, 0.5), ("P1", 3, 2, 0.6667), ("P2", 3, 2, 0.6667)]


def test_csat_over_a_period(history):
    week_49 = MONDAY + timedelta(days=7)
    assert table(csat("team", since=week_49)) == [("Billing", 1, 1, 1.0), ("Platform", 2, 0, 0.0),
                                                  ("no team", 1, 1, 1.0)]
    assert table(csat("week", until=week_49)) == [("2026-W48", 4, 3, 0.75)]
    assert csat("priority", since=MONDAY + timedelta(days=30)) == []
