"""The detector on synthetic series with known answers: it learns the daily and weekly pattern,
flags a drop once it persists, recovers, stays quiet on noise and on conversion rates measured on
a handful of attempts."""

from tests.metrics.synthetic import hourly_checkouts, hourly_orders
from tierline.metrics.detector import OPENED, RECOVERED, DetectorConfig, History, PersistenceState, paced, run, step

CONFIG = DetectorConfig()
WEEK_HOURS = 7 * 24


def _transitions(times, values, config=CONFIG, **kwargs):
    stamps = [t.timestamp() for t in times]
    return [(i, transition) for i, _, transition in run(stamps, values, config, **kwargs) if transition]


def test_a_seasonal_series_with_noise_never_alarms():
    # Nights and weekends are far below weekday afternoons: a detector without the pattern would fire.
    times, values = hourly_orders(6)
    assert _transitions(times, values) == []


def test_a_drop_opens_once_and_recovers():
    drop = (5 * WEEK_HOURS + 10, 5 * WEEK_HOURS + 22)  # a Saturday, 10:00 to 22:00
    times, values = hourly_orders(6, drop=drop)
    found = _transitions(times, values)
    assert [t for _, t in found] == [OPENED, RECOVERED]
    opened_at, recovered_at = found[0][0], found[1][0]
    assert drop[0] + 2 <= opened_at <= drop[0] + 4  # k=3 of n=6: the third point outside
    # Hourly points: a recovery looks at the last 6 (4 hours, but at least n), none outside.
    assert drop[1] + 5 <= recovered_at <= drop[1] + 12


def test_the_weekly_pattern_is_learnt():
    # The weekend is half a weekday; a weekend that looks like a weekday is not a drop, but a Monday
    # that looks like a weekend is, once the weekly history exists.
    drop = (5 * WEEK_HOURS + 8, 5 * WEEK_HOURS + 20)  # Monday of the sixth week, at half volume
    times, values = hourly_orders(6, drop=drop, factor=0.5)
    assert [t for _, t in _transitions(times, values)] == [OPENED, RECOVERED]


def test_a_rise_is_not_a_drop():
    times, values = hourly_orders(5, drop=(4 * WEEK_HOURS + 10, 4 * WEEK_HOURS + 20), factor=3.0)
    assert _transitions(times, values) == []
    both = DetectorConfig(direction="both")
    assert [t for _, t in _transitions(times, values, both)][:1] == [OPENED]


def test_a_short_dip_does_not_flap():
    drop = (4 * WEEK_HOURS + 12, 4 * WEEK_HOURS + 14)  # two hours: fewer than k points
    times, values = hourly_orders(5, drop=drop, factor=0.1)
    assert _transitions(times, values) == []


def test_nothing_is_judged_while_learning():
    times, values = hourly_orders(1, drop=(20, 40), factor=0.0)
    found = _transitions(times[:30], values[:30])
    assert found == []  # the first day has no history to compare with


def test_conversion_drop_is_flagged_with_many_attempts():
    drop = (4 * WEEK_HOURS + 10, 4 * WEEK_HOURS + 20)
    rows = hourly_checkouts(5, attempts=2000, drop=drop)
    times = [at for at, _, _ in rows]
    rates = [s / a for _, s, a in rows]
    found = _transitions(times, rates, attempts=[a for *_, a in rows], successes=[s for _, s, _ in rows])
    assert [t for _, t in found] == [OPENED, RECOVERED]


def test_conversion_rates_on_a_handful_of_attempts_do_not_alarm():
    # 10% of 8 attempts is 0 or 1 success: the rate swings between 0% and 25% by chance alone.
    drop = (4 * WEEK_HOURS + 10, 4 * WEEK_HOURS + 20)
    rows = hourly_checkouts(5, attempts=8, drop=drop, dropped_rate=0.0)
    times = [at for at, _, _ in rows]
    rates = [s / a for _, s, a in rows]
    found = _transitions(times, rates, attempts=[a for *_, a in rows], successes=[s for _, s, _ in rows])
    assert found == []


def test_persistence_needs_k_of_n_and_a_run_of_clear_points_to_recover():
    state = PersistenceState()
    config = DetectorConfig(k=3, n=5, clear=6, settled_share=1.0, rest=0)
    assert [step(state, flag, config) for flag in [True, False, True, False, True]] == [None] * 4 + [OPENED]
    assert [step(state, flag, config) for flag in [False] * 5 + [True]] == [None] * 6  # a dip starts over
    assert [step(state, flag, config) for flag in [False] * 5] == [None] * 5
    assert step(state, False, config) == RECOVERED


def test_hovering_at_the_edge_of_the_band_is_not_a_recovery():
    config = DetectorConfig(k=3, n=5, clear=10, settled_share=0.8, rest=0)
    state = PersistenceState()
    assert [step(state, True, config) for _ in range(3)][-1] == OPENED
    # Inside the band but not settled (not within half the threshold): the anomaly stays open.
    assert {step(state, False, config, is_settled=False) for _ in range(20)} == {None}
    # 8 of the last 10 settled, none outside: recovered.
    assert [step(state, False, config, is_settled=s) for s in [True] * 6 + [False] * 2 + [True] * 2][-1] == RECOVERED


def test_after_a_recovery_the_metric_rests():
    config = DetectorConfig(k=2, n=3, clear=3, settled_share=1.0, rest=10)
    state = PersistenceState()
    assert [step(state, flag, config) for flag in [True, True, False, False, False]] == [
        None, OPENED, None, None, RECOVERED]
    # A new dip within `rest` points opens nothing; after it, one does.
    assert {step(state, True, config) for _ in range(9)} == {None}
    assert step(state, True, config) == OPENED


def test_recovery_and_rest_are_durations_turned_into_the_metrics_points():
    five_minutes = History([i * 300 for i in range(100)], [1.0] * 100)
    hourly = History([i * 3600 for i in range(100)], [1.0] * 100)
    assert (paced(CONFIG, five_minutes).clear, paced(CONFIG, five_minutes).rest) == (48, 144)
    assert (paced(CONFIG, hourly).clear, paced(CONFIG, hourly).rest) == (CONFIG.n, 12)
