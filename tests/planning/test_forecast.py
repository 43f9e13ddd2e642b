"""The forecast on synthetic series whose answer is known."""

import numpy as np
import pytest

from tierline.planning.forecast import fit_counts, forecast, simulate_hours


def test_a_negative_binomial_series_gets_back_its_mean_and_dispersion():
    rng = np.random.default_rng(42)
    r, mean = 4.0, 12.0
    counts = rng.negative_binomial(r, r / (r + mean), 3000)
    model = fit_counts(counts)
    assert model.kind == "negative_binomial"
    assert model.mean == pytest.approx(mean, rel=0.03)
    assert model.dispersion == pytest.approx(r, rel=0.12)
    assert model.variance == pytest.approx(counts.var(ddof=1), rel=0.1)


def test_counts_no_more_spread_than_their_mean_fall_back_to_poisson():
    model = fit_counts([5, 6, 7, 6, 5, 7, 6])  # variance below the mean
    assert (model.kind, model.dispersion, model.mean) == ("poisson", None, 6.0)
    # A long Poisson series fits as Poisson, or as a negative binomial with Poisson's variance.
    model = fit_counts(np.random.default_rng(1).poisson(7.0, 5000))
    assert model.mean == pytest.approx(7.0, rel=0.03) and model.variance == pytest.approx(7.0, rel=0.08)


def test_a_constant_series_gives_a_zero_width_interval():
    result = forecast([4, 4, 4, 4, 4, 4], [1.5])
    for band in (*result.escalations, *result.hours):
        assert band.low_95 == band.median == band.high_95
    assert result.escalations[0].median == 4 and result.hours[0].median == 6.0
    assert result.reserve(0.99) == result.reserve(0.5) == 24.0


def test_the_reserve_grows_with_the_confidence():
    rng = np.random.default_rng(3)
    counts = rng.negative_binomial(2, 2 / (2 + 8), 30)
    result = forecast(counts, rng.exponential(2.0, 80), seed=5)
    reserves = [result.reserve(c) for c in (0.5, 0.8, 0.9, 0.95, 0.99)]
    assert reserves == sorted(reserves) and reserves[0] < reserves[-1]
    with pytest.raises(ValueError):
        result.reserve(1.0)


def test_intervals_nest_and_cover_the_true_distribution():
    r, mean = 3.0, 10.0
    rng = np.random.default_rng(11)
    result = forecast(rng.negative_binomial(r, r / (r + mean), 400), [1.0], simulations=20000, seed=2)
    week = result.escalations[0]
    assert week.low_95 <= week.low_80 <= week.median <= week.high_80 <= week.high_95
    # The true distribution puts about 80% of its weeks inside the 80% interval.
    truth = np.random.default_rng(12).negative_binomial(r, r / (r + mean), 20000)
    inside = np.mean((truth >= week.low_80) & (truth <= week.high_80))
    assert 0.76 <= inside <= 0.88


def test_hours_are_drawn_from_the_observed_hours_per_escalation():
    counts = np.array([[0, 1, 3]])
    hours = simulate_hours(counts, [2.0, 5.0], np.random.default_rng(0))
    assert hours[0, 0] == 0
    assert hours[0, 1] in (2.0, 5.0)
    assert hours[0, 2] in {6.0, 9.0, 12.0, 15.0}
    assert not simulate_hours(counts, [], np.random.default_rng(0)).any()  # no hours observed: none forecast


def test_the_same_seed_gives_the_same_forecast():
    counts, hours = [3, 9, 1, 12, 4, 7, 0, 15], [0.5, 1, 4, 10]
    assert forecast(counts, hours, seed=7).hours == forecast(counts, hours, seed=7).hours


def test_no_history_forecasts_nothing():
    result = forecast([], [])
    assert result.escalations[0].high_95 == 0 and result.reserve(0.9) == 0
