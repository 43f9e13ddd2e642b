"""The priority rule sets: impact weighting, explanations, and versions that stay reproducible."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tierline.triage.queries import rule_versions
from tierline.triage.rules import CURRENT_VERSION, RULESETS, PriorityInputs, current_rules

TODAY = date(2026, 11, 27)


def compute(**fields):
    return current_rules().compute(PriorityInputs(today=TODAY, **fields))


def test_same_severity_weighs_differently_by_customer():
    strategic = compute(severity=2, importance="strategic", renewal_date=TODAY + timedelta(days=34))
    small = compute(severity=2, importance="standard")
    assert (strategic.priority, small.priority) == (1, 2)
    assert strategic.explanation == "P1: S2 for a strategic customer renewing in 34 days"
    assert small.explanation == "P2: S2 for a standard customer"


@pytest.mark.parametrize("fields,priority", [
    ({"severity": 1}, 0),
    ({"severity": 4}, 3),
    ({"severity": 3}, 2),
    ({"severity": 3, "importance": "key", "annual_revenue": Decimal(2_000_000),
      "renewal_date": TODAY + timedelta(days=10)}, 1),
    ({"severity": 2, "affected_users": 5000}, 1),
    ({"severity": 2, "alert_level": "critical", "importance": "strategic"}, 1),
    ({"severity": 2, "alert_level": "critical", "importance": "strategic", "affected_users": 2000}, 0),
])
def test_inputs_move_the_priority(fields, priority):
    assert compute(**fields).priority == priority


def test_explanation_names_every_factor():
    result = compute(severity=3, importance="key", annual_revenue=Decimal(300_000), open_deal_value=Decimal(50_000),
                     affected_users=120, alert_level="warning")
    assert result.explanation == ("P1: S3 for a key customer, ARR $300k, open deal $50k, 120 users affected, "
                                  "warning alert")
    assert result.version == CURRENT_VERSION


def test_renewal_outside_the_window_or_past_does_not_count():
    assert compute(severity=2, renewal_date=TODAY + timedelta(days=91)).score == compute(severity=2).score
    assert compute(severity=2, renewal_date=TODAY - timedelta(days=1)).score == compute(severity=2).score


def test_older_versions_stay_reproducible():
    inputs = PriorityInputs(severity=2, importance="standard", today=TODAY)
    assert RULESETS["2026-11-01"].compute(inputs).priority == 1  # severity alone
    assert RULESETS["2026-11-27"].compute(inputs).priority == 2  # impact-weighted
    assert RULESETS["2026-11-01"].compute(inputs).version == "2026-11-01"


def test_every_version_has_a_changelog_line():
    versions = rule_versions()
    assert versions["current"] == CURRENT_VERSION == versions["versions"][-1]
    assert [line.split(":")[0] for line in versions["changelog"]] == versions["versions"]
