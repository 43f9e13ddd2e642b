"""A team's weekly unplanned hours and escalations from timeline rows and logged time."""

from datetime import UTC, date, datetime, timedelta

from tierline.planning.ledger import Event, Logged, build_ledger

MONDAY = date(2026, 11, 23)
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SINCE = datetime(2026, 11, 1, tzinfo=UTC)
DESK, PLATFORM = 1, 4
ALICE, FARAH, HANA = 10, 20, 30  # desk agent, platform engineer, in both platform and core (5)


def ref(team_id):
    return {"id": team_id, "name": f"team {team_id}"}


def moved(issue_id, at, from_team, to_team, actor=ALICE):
    return Event(issue_id, "team_changed", actor, at, {"from": ref(from_team), "to": ref(to_team)})


def note(issue_id, actor, at):
    return Event(issue_id, "note_added", actor, at, {})


MEMBERS = {ALICE: [DESK], FARAH: [PLATFORM], HANA: [PLATFORM, 5]}


def test_an_issue_arrives_where_it_is_opened_and_where_it_is_handed():
    events = [moved(1, T0 + timedelta(days=1), DESK, PLATFORM)]
    ledger = build_ledger(issues={1: (PLATFORM, T0)}, events=events, logged=[], memberships=MEMBERS, since=SINCE)
    assert ledger.arrivals[DESK] == {MONDAY: 1}
    assert ledger.arrivals[PLATFORM] == {MONDAY: 1}


def test_an_issue_opened_before_the_window_arrives_only_by_its_hand_offs():
    events = [moved(1, T0, DESK, PLATFORM)]
    ledger = build_ledger(issues={1: (PLATFORM, SINCE - timedelta(days=3))}, events=events, logged=[],
                          memberships=MEMBERS, since=SINCE)
    assert dict(ledger.arrivals[DESK]) == {} and ledger.arrivals[PLATFORM] == {MONDAY: 1}


def test_derived_time_counts_for_the_team_holding_the_issue_when_the_engineer_belongs_to_it():
    events = [moved(1, T0, DESK, 5), note(1, HANA, T0 + timedelta(hours=1)),
              note(2, HANA, T0 + timedelta(hours=1))]
    ledger = build_ledger(issues={1: (5, T0), 2: (DESK, T0)}, events=events, logged=[], memberships=MEMBERS,
                          since=SINCE)
    assert ledger.derived[5] == {MONDAY: 10}  # issue 1 was with core, which Hana is in
    assert ledger.derived[PLATFORM] == {MONDAY: 10}  # issue 2 was with the desk: Hana's own team
    assert ledger.derived[DESK] == {MONDAY: 10}  # Alice moved issue 1


def test_logged_time_replaces_the_derived_time_of_that_user_issue_and_day():
    events = [note(1, FARAH, T0), note(1, FARAH, T0 + timedelta(minutes=20)),
              note(1, FARAH, T0 + timedelta(days=1))]
    logged = [Logged(FARAH, 1, PLATFORM, MONDAY, 90)]
    ledger = build_ledger(issues={1: (PLATFORM, SINCE - timedelta(days=1))}, events=events, logged=logged,
                          memberships=MEMBERS, since=SINCE)
    assert ledger.logged[PLATFORM] == {MONDAY: 90}
    assert ledger.derived[PLATFORM] == {MONDAY: 10}  # Tuesday's note only: Monday's 30 were logged as 90
    assert ledger.issue_minutes[PLATFORM][1] == {MONDAY: 100}


def test_someone_elses_logged_time_does_not_hide_my_derived_time():
    events = [note(1, FARAH, T0)]
    logged = [Logged(HANA, 1, PLATFORM, MONDAY, 60)]
    ledger = build_ledger(issues={1: (PLATFORM, T0)}, events=events, logged=logged, memberships=MEMBERS, since=SINCE)
    assert ledger.logged[PLATFORM][MONDAY] + ledger.derived[PLATFORM][MONDAY] == 70


def test_customers_and_the_system_derive_no_time():
    events = [Event(1, "commented", None, T0, {}), Event(1, "commented", 99, T0, {})]  # 99: no team
    ledger = build_ledger(issues={1: (DESK, T0)}, events=events, logged=[], memberships=MEMBERS, since=SINCE)
    assert not any(ledger.derived.values())


def test_hours_per_escalated_issue_include_issues_that_took_none():
    events = [moved(1, T0, DESK, PLATFORM), moved(2, T0, DESK, PLATFORM)]
    logged = [Logged(FARAH, 1, PLATFORM, MONDAY, 120)]
    ledger = build_ledger(issues={1: (PLATFORM, SINCE - timedelta(days=1)), 2: (PLATFORM, SINCE - timedelta(days=1))},
                          events=events, logged=logged, memberships=MEMBERS, since=SINCE)
    assert ledger.hours_per_arrival(PLATFORM) == [2.0, 0.0]


def test_a_backtest_sees_only_the_hours_known_by_its_week():
    later = MONDAY + timedelta(days=7)
    events = [moved(1, T0, DESK, PLATFORM), moved(2, T0 + timedelta(days=7), DESK, PLATFORM)]
    logged = [Logged(FARAH, 1, PLATFORM, MONDAY, 60), Logged(FARAH, 1, PLATFORM, later, 60),
              Logged(FARAH, 2, PLATFORM, later, 30)]
    ledger = build_ledger(issues={1: (PLATFORM, SINCE - timedelta(days=1)), 2: (PLATFORM, SINCE - timedelta(days=1))},
                          events=events, logged=logged, memberships=MEMBERS, since=SINCE)
    assert ledger.hours_per_arrival(PLATFORM, until=MONDAY) == [1.0]
    assert ledger.hours_per_arrival(PLATFORM) == [2.0, 0.5]


def test_issues_arrived_in_the_last_weeks_can_be_left_out_of_the_sample():
    later = MONDAY + timedelta(days=14)
    events = [moved(1, T0, DESK, PLATFORM), moved(2, T0 + timedelta(days=14), DESK, PLATFORM)]
    logged = [Logged(FARAH, 1, PLATFORM, MONDAY, 180), Logged(FARAH, 2, PLATFORM, later, 30)]
    ledger = build_ledger(issues={1: (PLATFORM, SINCE - timedelta(days=1)), 2: (PLATFORM, SINCE - timedelta(days=1))},
                          events=events, logged=logged, memberships=MEMBERS, since=SINCE)
    assert ledger.hours_per_arrival(PLATFORM, until=later, settled_weeks=2) == [3.0]
    assert ledger.hours_per_arrival(PLATFORM, until=later) == [3.0, 0.5]


def test_time_on_issues_the_team_only_helped_with_is_spread_over_its_escalations():
    events = [moved(1, T0, DESK, PLATFORM)]
    logged = [Logged(FARAH, 1, PLATFORM, MONDAY, 60), Logged(FARAH, 2, PLATFORM, MONDAY, 60)]  # 2 stays at the desk
    ledger = build_ledger(issues={1: (PLATFORM, SINCE - timedelta(days=1)), 2: (DESK, SINCE - timedelta(days=1))},
                          events=events, logged=logged, memberships=MEMBERS, since=SINCE)
    assert ledger.hours_per_arrival(PLATFORM) == [2.0]
