"""The next weeks of a team's escalations and hours, with intervals. Pure (numpy, scipy).

1. Weekly escalation counts get a count model (`fit_counts`): a negative binomial when they
   vary more than their mean (dispersion by maximum likelihood, started from the method of
   moments), a Poisson when they do not, and a constant when they do not vary at all (the
   series gives no evidence of any spread).
2. Monte Carlo (seeded): each simulated week draws a count from the model, and each of its
   escalations draws its hours from the team's observed hours per escalated issue (bootstrap).
3. Per week: the median and the 80% and 95% intervals of escalations and of hours; over the
   horizon: the capacity to reserve at a confidence (`Forecast.reserve(0.9)` is the hours that
   the whole horizon stays under in 90% of the simulations).
"""

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

HORIZON = 4
SIMULATIONS = 5000
LEVELS = {"80": (0.10, 0.90), "95": (0.025, 0.975)}


@dataclass(frozen=True)
class CountModel:
    kind: str  # "constant", "poisson" or "negative_binomial"
    mean: float
    dispersion: float | None = None  # the negative binomial's size r: variance = mean + mean² / r

    @property
    def label(self) -> str:
        return self.kind.replace("_", " ")

    @property
    def variance(self) -> float:
        if self.kind == "constant":
            return 0.0
        return self.mean + (self.mean ** 2 / self.dispersion if self.dispersion else 0.0)

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        if self.kind == "constant":
            return np.full(size, round(self.mean), dtype=np.int64)
        if self.kind == "poisson":
            return rng.poisson(self.mean, size)
        return rng.negative_binomial(self.dispersion, self.dispersion / (self.dispersion + self.mean), size)


def _nb_log_likelihood(r: float, counts: np.ndarray, mean: float) -> float:
    p = r / (r + mean)
    return float(np.sum(special.gammaln(counts + r) - special.gammaln(r) - special.gammaln(counts + 1)
                        + r * np.log(p) + counts * np.log1p(-p)))


def fit_counts(counts) -> CountModel:
    counts = np.asarray(counts, dtype=float)
    if counts.size == 0:
        return CountModel("constant", 0.0)
    mean = float(counts.mean())
    variance = float(counts.var(ddof=1)) if counts.size > 1 else 0.0
    if variance == 0.0:
        return CountModel("constant", mean)
    if variance <= mean:
        return CountModel("poisson", mean)
    moments = mean ** 2 / (variance - mean)
    # The likelihood's maximum over log r, bracketed around the moments' estimate.
    found = optimize.minimize_scalar(lambda log_r: -_nb_log_likelihood(np.exp(log_r), counts, mean),
                                     bounds=(np.log(moments) - 5, np.log(moments) + 5), method="bounded")
    return CountModel("negative_binomial", mean, float(np.exp(found.x)) if found.success else moments)


@dataclass(frozen=True)
class Band:
    median: float
    low_80: float
    high_80: float
    low_95: float
    high_95: float

    @classmethod
    def of(cls, values: np.ndarray) -> "Band":
        q = np.quantile(values, [0.5, *LEVELS["80"], *LEVELS["95"]])
        return cls(*(round(float(v), 2) for v in q))


@dataclass(frozen=True)
class Forecast:
    model: CountModel
    escalations: list[Band]  # one per week ahead
    hours: list[Band]
    total_hours: np.ndarray  # the horizon's hours in each simulation, for `reserve`
    observed_weeks: int
    hours_samples: int

    def reserve(self, confidence: float) -> float:
        """Hours to keep free over the horizon so that it suffices with probability `confidence`."""
        if not 0 < confidence < 1:
            raise ValueError("confidence is between 0 and 1")
        return round(float(np.quantile(self.total_hours, confidence)), 2)


def simulate_hours(counts: np.ndarray, hours_per_escalation, rng: np.random.Generator) -> np.ndarray:
    """The hours of each simulated week: as many draws from the observed hours as it has escalations."""
    samples = np.asarray(hours_per_escalation, dtype=float)
    if samples.size == 0:
        return np.zeros(counts.shape)
    flat = counts.ravel()
    draws = samples[rng.integers(0, samples.size, int(flat.sum()))]
    cells = np.repeat(np.arange(flat.size), flat)
    return np.bincount(cells, weights=draws, minlength=flat.size).reshape(counts.shape)


def forecast(weekly_counts, hours_per_escalation, *, horizon: int = HORIZON, simulations: int = SIMULATIONS,
             seed: int = 0) -> Forecast:
    model = fit_counts(weekly_counts)
    rng = np.random.default_rng(seed)
    counts = model.sample(rng, (simulations, horizon))
    hours = simulate_hours(counts, hours_per_escalation, rng)
    return Forecast(
        model=model, escalations=[Band.of(counts[:, w]) for w in range(horizon)],
        hours=[Band.of(hours[:, w]) for w in range(horizon)], total_hours=hours.sum(axis=1),
        observed_weeks=len(weekly_counts), hours_samples=len(hours_per_escalation),
    )
