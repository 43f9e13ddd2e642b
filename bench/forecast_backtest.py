"""Backtest of the planning forecast on the demo's history, against naive baselines.

    .venv/bin/python bench/forecast_backtest.py [--quick] [--database-url URL]

Seeds the demo (six months of issues, hand-offs and logged time; 800 issues with --quick instead
of 2,500), reads every team's weekly escalations and unplanned hours (`planning.queries.read_ledger`)
and, for each team and each rolling origin t (from the 8th complete week on), fits on weeks <= t
and forecasts weeks t+1..t+4 exactly as the team page does (`planning.forecast.forecast`: negative
binomial counts, bootstrapped hours per escalated issue, drawn only from what was known at t). It
compares the median with what happened:

- MAE of weekly escalations and of weekly hours, and MASE (the MAE over the in-sample MAE of
  "same as last week", per team, averaged over teams): below 1 beats that naive forecast;
- coverage: how often the actual week fell inside the 80% interval (nominal 0.80);

against two baselines measured in the same run on the same weeks: last week's value repeated, and
the mean of the last 4 weeks. The product's model (`product`) is compared with two variants: issues
that reached the team in the two weeks before the origin left out of the hours sample, their work
mostly still ahead (`settled_2`), and counts fitted on the last 8 weeks only (`last_8_weeks`, a
crude trend term that follows level changes).

`main()` returns the figures (the analytics benchmark calls it); the last line printed is their JSON.
"""

import argparse
import json
import sys
import time
from datetime import timedelta
from statistics import mean

import numpy as np
from _django import setup_django

HORIZON = 4
MIN_HISTORY = 8
SIMULATIONS = 2000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database; it is wiped")
    return parser.parse_args(argv)


def team_series(ledger, team, weeks):
    counts = [ledger.arrivals[team.pk].get(w, 0) for w in weeks]
    hours = [(ledger.logged[team.pk].get(w, 0) + ledger.derived[team.pk].get(w, 0)) / 60 for w in weeks]
    return counts, hours


def backtest_team(ledger, team, weeks, *, window: int | None = None, settled_weeks: int = 0) -> dict:
    """Absolute errors and interval hits of the model and of the baselines, over every origin."""
    from tierline.planning.forecast import forecast

    counts, hours = team_series(ledger, team, weeks)
    errors = {name: {"escalations": [], "hours": []} for name in ("model", "last_week", "mean_4")}
    inside = {"escalations": [], "hours": []}
    for t in range(MIN_HISTORY, len(weeks) - HORIZON + 1):
        history = counts[:t] if window is None else counts[max(0, t - window):t]
        result = forecast(history, ledger.hours_per_arrival(team.pk, until=weeks[t - 1],
                                                                    settled_weeks=settled_weeks), horizon=HORIZON,
                          simulations=SIMULATIONS, seed=t)
        naive = {"last_week": (counts[t - 1], hours[t - 1]),
                 "mean_4": (mean(counts[t - 4:t]), mean(hours[t - 4:t]))}
        for h in range(HORIZON):
            actual = {"escalations": counts[t + h], "hours": hours[t + h]}
            bands = {"escalations": result.escalations[h], "hours": result.hours[h]}
            for what in ("escalations", "hours"):
                errors["model"][what].append(abs(bands[what].median - actual[what]))
                inside[what].append(bands[what].low_80 <= actual[what] <= bands[what].high_80)
            for name, (count, hour) in naive.items():
                errors[name]["escalations"].append(abs(count - actual["escalations"]))
                errors[name]["hours"].append(abs(hour - actual["hours"]))
    scale = {"escalations": np.mean(np.abs(np.diff(counts))) or 1.0, "hours": np.mean(np.abs(np.diff(hours))) or 1.0}
    return {"errors": errors, "inside": inside, "scale": scale, "mean_count": mean(counts),
            "mean_hours": mean(hours), "origins": len(weeks) - HORIZON + 1 - MIN_HISTORY}


def summarize(per_team: dict) -> dict:
    figures = {}
    for name in ("model", "last_week", "mean_4"):
        for what in ("escalations", "hours"):
            figures[f"{name}_{what}_mae"] = round(mean(mean(r["errors"][name][what]) for r in per_team.values()), 3)
            figures[f"{name}_{what}_mase"] = round(mean(
                mean(r["errors"][name][what]) / r["scale"][what] for r in per_team.values()), 3)
    for what in ("escalations", "hours"):
        figures[f"model_{what}_coverage_80"] = round(mean(
            x for r in per_team.values() for x in r["inside"][what]), 3)
    return figures


def page_cost(teams) -> tuple[float, float]:
    """Median seconds of what the team page computes, and of reading its timeline rows alone."""
    from tierline.issues.models import IssueEvent
    from tierline.planning.effort import ACTION_KINDS
    from tierline.planning.ledger import TEAM_MOVES
    from tierline.planning.queries import _start, history_start, read_ledger, team_forecast, team_weeks

    def page():
        since = history_start()
        ledger = read_ledger(since)
        team_weeks(teams[0], ledger)
        team_forecast(teams[0], ledger, since_week=since)

    def read():
        list(IssueEvent.objects.filter(created_at__gte=_start(history_start()), kind__in=ACTION_KINDS | set(TEAM_MOVES))
             .values_list("issue_id", "kind", "actor_id", "created_at", "data"))

    def timed(work) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
        return sorted(times)[2]

    return timed(page), timed(read)


def main(argv=None) -> dict:
    args = parse_args(argv)
    setup_django(args.database_url)
    from django.utils import timezone

    from tierline.accounts.models import Team
    from tierline.demo.seed import seed_demo
    from tierline.planning.queries import WEEK, first_full_week, read_ledger, this_week

    started = time.perf_counter()
    seed_demo(issues=800 if args.quick else 2500)
    seeded = time.perf_counter() - started
    start = first_full_week(this_week() - timedelta(days=7 * 60))
    weeks = [start + WEEK * n for n in range((this_week() - start) // WEEK)]  # complete weeks only
    ledger = read_ledger(start)
    teams = list(Team.objects.all())
    results = {}
    for variant, window, settled in (("product", None, 0), ("settled_2", None, 2), ("last_8_weeks", 8, 0)):
        per_team = {team.slug: backtest_team(ledger, team, weeks, window=window, settled_weeks=settled)
                    for team in teams}
        results[variant] = (per_team, summarize(per_team))

    print(f"Demo seeded in {seeded:.0f} s: {len(weeks)} complete weeks to {weeks[-1] + timedelta(days=6)}, "
          f"{len(teams)} teams, {results['product'][0][teams[0].slug]['origins']} origins x {HORIZON} weeks ahead"
          f" (as of {timezone.localdate()})")
    print(f"\n{'team':<22}{'esc/wk':>7}{'h/wk':>7} | escalations MAE: model, last week, mean of 4 | "
          "hours MAE: model, last week, mean of 4 | 80% coverage: escalations, hours")
    per_team, _ = results["product"]
    for slug, r in per_team.items():
        e, i = r["errors"], r["inside"]
        maes = {what: " ".join(f"{mean(e[name][what]):>6.2f}" for name in ("model", "last_week", "mean_4"))
                for what in ("escalations", "hours")}
        print(f"{slug:<22}{r['mean_count']:>7.1f}{r['mean_hours']:>7.1f} | {maes['escalations']:>43} | "
              f"{maes['hours']:>37} | {mean(i['escalations']):>25.2f} {mean(i['hours']):>6.2f}")
    print("\nAveraged over teams (MASE: MAE / in-sample MAE of 'same as last week'; below 1 beats it):")
    for variant, (_, figures) in results.items():
        print(f"  {variant:<13} escalations MASE model {figures['model_escalations_mase']:.2f}, last week "
              f"{figures['last_week_escalations_mase']:.2f}, mean of 4 {figures['mean_4_escalations_mase']:.2f}; "
              f"hours MASE model {figures['model_hours_mase']:.2f}, last week {figures['last_week_hours_mase']:.2f}, "
              f"mean of 4 {figures['mean_4_hours_mase']:.2f}; 80% coverage escalations "
              f"{figures['model_escalations_coverage_80']:.2f}, hours {figures['model_hours_coverage_80']:.2f}")
    page_seconds, read_seconds = page_cost(teams)
    print(f"\nThe team page's figures (26 weeks read, weeks and forecast of one team): {page_seconds * 1000:.0f} ms; "
          f"reading the same timeline rows alone: {read_seconds * 1000:.0f} ms (x{page_seconds / read_seconds:.1f})")
    figures = {"weeks": len(weeks), "teams": len(teams), "page_ms": round(page_seconds * 1000, 1),
               "page_over_read": round(page_seconds / read_seconds, 2),
               **{f"{variant}_{k}": v for variant, (_, f) in results.items() for k, v in f.items()}}
    print(json.dumps(figures))
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
