"""The analytics at scale: N issues with a year of history, the fact rows built, every analytics page
and API table timed.

    .venv/bin/python bench/insights.py --database-url postgresql://...   # 1,000,000 issues
    .venv/bin/python bench/insights.py --quick                           # 20,000 issues on SQLite
    .venv/bin/python bench/insights.py --part forecast                   # the planning forecast's backtest

Issues, their hand-offs (tier and team changes), reopenings, SLA clocks and problem links are
written in bulk (COPY on PostgreSQL, executemany on SQLite), not through the actions: this measures
reading, not writing. Then `do_rebuild_issue_facts` builds the fact rows and
`do_snapshot_default_tables` the default views' snapshots, as the worker does (both timed), and
each page and API table is requested in-process with Django's test client (middleware, auth,
queries, templates); `computed:` rows are each table computed from the fact rows, what a view
without a snapshot (other filters) costs.
Baselines measured in the same run: a trivial API call (`/api/v1/users/me`), and the median first
response by priority computed naively, by reading the raw issue rows of the period into Python.
Target: every page and API call under 1 s on PostgreSQL at 1,000,000 issues.

`--part` picks what runs: `insights` (this), `forecast` (`forecast_backtest.main()`, owned by the
planning app, when it is present in this folder), or `all`.
"""

import argparse
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

from _django import setup_django
from _insights_data import generate

PAGES = ["/desk/insights/", "/desk/insights/response/", "/desk/insights/escalations/",
         "/desk/insights/long-tail/", "/desk/insights/hotspots/", "/desk/insights/customers/"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 issues on SQLite, fewer requests")
    parser.add_argument("--issues", type=int)
    parser.add_argument("--requests", type=int, help="timed requests per page (default 5, 3 with --quick)")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database; it is wiped")
    parser.add_argument("--part", choices=("insights", "forecast", "all"), default="insights")
    return parser.parse_args()


def measure(fn, n: int) -> list[float]:
    fn()  # warm caches, templates and the query plan
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def naive_median_by_priority(since) -> dict:
    """The metric the way one would without rollups: every issue row of the period into Python."""
    from tierline.insights.stats import percentile
    from tierline.issues.models import Issue

    by_priority: dict = {}
    rows = Issue.objects.filter(created_at__gte=since, first_response_at__isnull=False).values_list(
        "priority", "created_at", "first_response_at")
    for priority, created, responded in rows.iterator(chunk_size=10_000):
        by_priority.setdefault(priority, []).append((responded - created).total_seconds() / 60)
    return {p: percentile(sorted(v), 0.5) for p, v in by_priority.items()}


def run_insights(args) -> dict:
    issue_count = args.issues or (20_000 if args.quick else 1_000_000)
    requests = args.requests or (3 if args.quick else 5)
    setup_django(None if args.quick and not args.database_url else args.database_url)
    from datetime import UTC, datetime
    from datetime import time as clock

    from django.db import connection
    from django.test import Client

    from tierline.accounts.actions import do_create_api_token, do_create_user
    from tierline.insights.actions import do_rebuild_issue_facts, do_snapshot_default_tables
    from tierline.insights.queries import parse_filters
    from tierline.insights.tables import TABLES

    started = time.perf_counter()
    generate(issue_count)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    facts = do_rebuild_issue_facts()
    built = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a rebuild; index-only scans need it
    started = time.perf_counter()
    do_snapshot_default_tables()
    snapshotted = time.perf_counter() - started
    agent = do_create_user(email="analyst@tierline.example", role="support_t2")
    page, api = Client(), Client(headers={"Authorization": f"Bearer {do_create_api_token(agent)[1]}"})
    page.force_login(agent)

    def get(client, url, **params):
        def call():
            response = client.get(url, params)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return call

    filters = parse_filters({})
    since = datetime.combine(filters.since, clock.min, tzinfo=UTC)
    scenarios = [("baseline: GET /api/v1/users/me", get(api, "/api/v1/users/me")),
                 ("baseline: naive median by priority", lambda: naive_median_by_priority(since))]
    scenarios += [(f"page {url}", get(page, url)) for url in PAGES]
    scenarios += [(f"page {PAGES[1]} one organization", get(page, PAGES[1], organization_id="3"))]
    scenarios += [(f"API /insights/{name}", get(api, f"/api/v1/insights/{name}")) for name in TABLES]
    scenarios += [("CSV long-tail export", get(page, "/desk/insights/export/long-tail.csv"))]
    # What a page costs when its snapshot is not there (other filters, or before the worker ran):
    # the table computed from the facts.
    scenarios += [(f"computed: {name}", lambda name=name: TABLES[name].compute(filters)) for name in TABLES]
    results = []
    for name, call in scenarios:
        samples = measure(call, requests)
        results.append({"scenario": name, "p50_ms": round(statistics.median(samples), 1),
                        "max_ms": round(max(samples), 1)})
    naive = results[1]["p50_ms"]
    for r in results:
        r["x_naive"] = round(r["p50_ms"] / max(naive, 1e-6), 3)
    engine = connection.vendor
    print(f"\nTierline insights benchmark: {issue_count:,} issues on {engine}, {requests} requests per scenario")
    print(f"generated in {generated:.1f} s; {facts:,} fact rows built in {built:.1f} s "
          f"({facts / built:,.0f} issues/s); the default views' snapshots in {snapshotted:.1f} s; "
          f"default period {filters.since} to {filters.until}\n")
    print(f"{'scenario':<52}{'p50 ms':>10}{'max ms':>10}{'x naive':>9}")
    for r in results:
        print(f"{r['scenario']:<52}{r['p50_ms']:>10.1f}{r['max_ms']:>10.1f}{r['x_naive']:>9.3f}")
    worst = max(r["max_ms"] for r in results if not r["scenario"].startswith(("baseline", "computed")))
    pages = sum(r["p50_ms"] for r in results if r["scenario"].startswith("computed"))
    print(f"\nslowest analytics request: {worst:.0f} ms (target < 1000 ms on PostgreSQL); "
          f"every table computed from the facts: {pages:.0f} ms together")
    return {"benchmark": "insights", "database": engine, "issues": issue_count, "requests": requests,
            "generate_seconds": round(generated, 1), "facts_build_seconds": round(built, 1),
            "snapshot_seconds": round(snapshotted, 1),
            "slowest_ms": worst, "scenarios": results, "period_days": (filters.until - filters.since).days + 1}


def run_forecast() -> dict:
    path = Path(__file__).with_name("forecast_backtest.py")
    if not path.exists():
        print("forecast backtest: bench/forecast_backtest.py is not in this checkout")
        return {"forecast": "absent"}
    spec = importlib.util.spec_from_file_location("forecast_backtest", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {"forecast": module.main([])}  # its own options are its own: `bench/forecast_backtest.py --help`


def main() -> int:
    args = parse_args()
    figures = {}
    if args.part in ("insights", "all"):
        figures.update(run_insights(args))
    if args.part in ("forecast", "all"):
        figures.update(run_forecast())
    print(json.dumps(figures, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
