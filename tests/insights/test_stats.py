"""Percentiles as PostgreSQL's percentile_cont computes them; the database and Python agree."""

import pytest
from django.db import connection

from tests.insights.helpers import T0, issue_answered_after, rebuild
from tierline.insights import stats
from tierline.insights.models import IssueFact


def test_percentile_interpolates_between_ranks():
    values = [10, 20, 30, 40, 100]
    assert stats.percentile(values, 0.5) == 30
    assert stats.percentile(values, 0.9) == pytest.approx(76)  # 40 + 0.6 x (100 - 40)
    assert stats.percentile([5], 0.9) == 5
    assert stats.percentile([], 0.5) is None
    assert stats.percentile([1, 2], 0.5) == 1.5


@pytest.mark.django_db
def test_database_and_python_agree(monkeypatch):
    for minutes in (3, 7, 7, 12, 45, 46, 90, 300, 1200, 1201, 5000):
        issue_answered_after(minutes, priority=minutes % 3, created=T0)
    rebuild()
    facts = IssueFact.objects.all()
    groups = stats.summarise(facts, "priority", ("first_response_minutes", "resolution_minutes"))
    if connection.vendor == "postgresql":
        monkeypatch.setattr(connection, "vendor", "sqlite")
        in_python = stats.summarise(facts, "priority", ("first_response_minutes", "resolution_minutes"))
        monkeypatch.undo()
        assert groups == in_python
    here = {key: summaries["first_response_minutes"] for key, (_, summaries) in groups.items()}
    assert {key: issues for key, (issues, _) in groups.items()} == {0: 6, 1: 4, 2: 1}
    assert groups[0][1]["resolution_minutes"] == stats.Summary(0, None, None)  # none resolved
    by_hand = {0: [3, 12, 45, 90, 300, 1200], 1: [7, 7, 46, 1201], 2: [5000]}
    for priority, values in by_hand.items():
        assert here[priority].count == len(values)
        assert here[priority].median == round(stats.percentile(sorted(values), 0.5), 1)
        assert here[priority].p90 == round(stats.percentile(sorted(values), 0.9), 1)
    assert (here[1].median, here[1].p90) == (26.5, 854.5)  # 7 + 0.5 x 39; 46 + 0.7 x 1155
