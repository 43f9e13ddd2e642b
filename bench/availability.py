"""Availability numbers at scale: the overview of every customer and component for a month.

    .venv/bin/python bench/availability.py [--quick] [--database-url URL]

Records outages through `do_record_outage` over the last 60 days (a tenth for everyone, a third
on a component, the rest one customer's), then times `queries.overview` (the window's outages
read once, every subject's numbers in memory) and the desk page `/desk/availability/` in-process
with Django's test client, against a baseline measured in the same run: each subject's report
reading its own outages, as a page computing customers one by one would.
"""

import argparse
import json
import random
import statistics
import time
from datetime import timedelta

from _django import setup_django


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer customers and outages")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database; it is wiped")
    return parser.parse_args()


def build(customers: int, components: int, outages: int, rng: random.Random):
    from django.utils import timezone

    from tierline.accounts.actions import do_create_user
    from tierline.availability.actions import do_record_outage
    from tierline.customers.actions import do_create_organization
    from tierline.issues.actions import do_create_component

    orgs = [do_create_organization(name=f"Customer {n}", email_domains=[f"c{n}.example"],
                                   plan=rng.choice(["team", "business", "enterprise"])) for n in range(customers)]
    parts = [do_create_component(name=f"Component {n}") for n in range(components)]
    now = timezone.now()
    started = time.perf_counter()
    for _ in range(outages):
        start = now - timedelta(minutes=rng.uniform(30, 60 * 24 * 60))
        kind = rng.random()
        scope = ({"is_global": True} if kind < 0.1 else {"components": [rng.choice(parts)]} if kind < 0.4
                 else {"organizations": [rng.choice(orgs)]})
        do_record_outage(actor=None, title="Outage", started_at=start,
                         ended_at=start + timedelta(minutes=rng.expovariate(1 / 20)), **scope)
    write_seconds = time.perf_counter() - started
    return orgs, parts, write_seconds, do_create_user(email="alice@tierline.example", role="support_t1")


def median_ms(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tierline.availability.queries import component_report, organization_report, overview, parse_month

    customers, components, outages, repeat = (50, 8, 300, 5) if args.quick else (300, 20, 3000, 7)
    orgs, parts, write_seconds, agent = build(customers, components, outages, random.Random(11))
    period = parse_month("")

    def one_by_one():
        for o in orgs:
            organization_report(o, period)
        for c in parts:
            component_report(c, period)

    with CaptureQueriesContext(connection) as captured:
        overview(period)
    overview_queries = len(captured)
    with CaptureQueriesContext(connection) as captured:
        one_by_one()
    baseline_queries = len(captured)
    overview_ms = median_ms(lambda: overview(period), repeat)
    baseline_ms = median_ms(one_by_one, max(2, repeat // 2))
    client = Client()
    client.force_login(agent)
    page_ms = median_ms(lambda: client.get("/desk/availability/"), repeat)

    subjects = customers + components
    print(f"{'measure':<52}{'value':>12}")
    print(f"{'outages recorded per second (do_record_outage)':<52}{outages / write_seconds:>12.1f}")
    print(f"{f'overview of {subjects} subjects, {outages} outages, ms':<52}{overview_ms:>12.1f}")
    print(f"{'  its queries':<52}{overview_queries:>12}")
    print(f"{'each subject reading its own outages, ms (baseline)':<52}{baseline_ms:>12.1f}")
    print(f"{'  its queries':<52}{baseline_queries:>12}")
    print(f"{'/desk/availability/ page, ms':<52}{page_ms:>12.1f}")
    print(json.dumps({
        "subjects": subjects, "outages": outages, "outages_per_s": round(outages / write_seconds, 1),
        "overview_ms": round(overview_ms, 1), "overview_queries": overview_queries,
        "baseline_ms": round(baseline_ms, 1), "baseline_queries": baseline_queries,
        "overview_vs_baseline": round(overview_ms / baseline_ms, 3), "page_ms": round(page_ms, 1),
    }))


if __name__ == "__main__":
    main()
