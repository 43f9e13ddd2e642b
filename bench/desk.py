"""The desk at scale: bulk issue creation, then queue page and API list latency.

    .venv/bin/python bench/desk.py [--quick] [--issues N] [--database-url URL]

Creates N issues (100,000 by default) through `do_create_issues` in batches, then times the
agent's queue page and `GET /api/v1/issues` in-process with Django's test client (middleware,
auth, queries, templates and serialization included; no network). Each scenario is compared
with the bare SQL of the same page, run in the same process: the ratio is the cost of the
product on top of the database. Target: list p95 under 50 ms at 100,000 issues.
"""

import argparse
import json
import random
import statistics
import sys
import time
from datetime import timedelta

from _django import setup_django


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 issues and fewer requests")
    parser.add_argument("--issues", type=int)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database; it is wiped")
    return parser.parse_args()


def build_desk(issue_count: int, rng: random.Random):
    from django.utils import timezone

    from tierline.accounts.actions import do_create_api_token, do_create_team, do_create_user
    from tierline.customers.actions import do_create_contact, do_create_organization
    from tierline.issues.actions import IssueDraft, do_create_component, do_create_issues

    teams = [do_create_team(name=f"Team {t}", tier=t) for t in range(1, 6)]
    agents = [do_create_user(email=f"agent{n}@tierline.example", role="support_t1") for n in range(10)]
    orgs = [do_create_organization(name=f"Customer {n}", email_domains=[f"c{n}.example"]) for n in range(12)]
    contacts = [do_create_contact(email=f"p{n}@c{n % 12}.example", organization=orgs[n % 12]) for n in range(60)]
    components = [do_create_component(name=f"Component {n}", owner_team=teams[3 + n % 2]) for n in range(8)]
    _, token = do_create_api_token(agents[0])
    now = timezone.now()
    words = ["export", "login", "invoice", "sync", "crash", "timeout", "report", "import", "webhook", "alert"]
    created, started, batch = 0, time.perf_counter(), 5000
    while created < issue_count:
        drafts = []
        for _ in range(min(batch, issue_count - created)):
            contact = rng.choice(contacts)
            drafts.append(IssueDraft(
                title=f"{rng.choice(words).title()} {rng.choice(words)} problem #{created + len(drafts)}",
                description="Customer reports the problem started after the last release.",
                channel=rng.choice(["portal", "email", "api", "alert"]), severity=rng.randint(1, 4),
                tier=rng.randint(1, 5), organization_id=contact.organization_id, requester_id=contact.pk,
                component_id=rng.choice(components).pk, team_id=rng.choice(teams).pk,
                assignee_id=rng.choice(agents).pk if rng.random() < 0.7 else None,
                created_at=now - timedelta(seconds=rng.randint(0, 180 * 86400)),
            ))
        do_create_issues(drafts)
        created += len(drafts)
    seconds = time.perf_counter() - started
    # A realistic mix of states, set in bulk: statuses are not part of creation.
    from tierline.issues.models import Issue

    closed_below, open_below = int(issue_count * 0.85) + 1, int(issue_count * 0.95)
    Issue.objects.filter(id__lt=closed_below).update(status="closed")
    Issue.objects.filter(id__gte=closed_below, id__lt=open_below).update(status="open")
    return {"token": token, "agent": agents[0], "org": orgs[3], "team": teams[1], "seconds": seconds,
            "per_second": issue_count / seconds}


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(fn, n: int) -> list[float]:
    fn()  # warm caches, templates and the query plan
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> int:
    args = parse_args()
    issue_count = args.issues or (10_000 if args.quick else 100_000)
    requests = args.requests or (40 if args.quick else 200)
    setup_django(args.database_url)
    from django.db import connection
    from django.test import Client

    from tierline.issues.models import Issue
    from tierline.issues.queries import SORTS
    from tierline.pagination import encode_cursor

    rng = random.Random(42)
    desk = build_desk(issue_count, rng)
    api = Client(headers={"Authorization": f"Bearer {desk['token']}"})
    page = Client()
    page.force_login(desk["agent"])
    deep_row = Issue.objects.order_by("-updated_at", "-id")[issue_count // 2]
    deep_cursor = encode_cursor(deep_row, SORTS["-updated"])
    org, team = desk["org"].pk, desk["team"].pk

    def get(client, url, **params):
        def call():
            response = client.get(url, params)
            assert response.status_code == 200, (url, response.status_code, response.content[:200])
        return call

    table = Issue._meta.db_table

    def raw(sql, params=()):
        def call():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()
        return call

    first_page_sql = raw(f"SELECT * FROM {table} ORDER BY updated_at DESC, id DESC LIMIT 51")
    scenarios = [
        ("queue page, first page", get(page, "/desk/"), first_page_sql),
        ("queue page, open + organization", get(page, "/desk/", status="open", organization=org),
         raw(f"SELECT * FROM {table} WHERE status = %s AND organization_id = %s "
             "ORDER BY updated_at DESC, id DESC LIMIT 51", ("open", org))),
        ("API list, first page", get(api, "/api/v1/issues", limit=50), first_page_sql),
        ("API list, deep cursor (middle)", get(api, "/api/v1/issues", limit=50, cursor=deep_cursor),
         raw(f"SELECT * FROM {table} WHERE updated_at <= %s AND (updated_at < %s OR (updated_at = %s AND id < %s)) "
             "ORDER BY updated_at DESC, id DESC LIMIT 51",
             (deep_row.updated_at, deep_row.updated_at, deep_row.updated_at, deep_row.id))),
        ("API list, status + team + priority",
         get(api, "/api/v1/issues", limit=50, status="open", team=team, priority="0,1"),
         raw(f"SELECT * FROM {table} WHERE status = %s AND team_id = %s AND priority IN (0, 1) "
             "ORDER BY updated_at DESC, id DESC LIMIT 51", ("open", team))),
        ("API list, priority sort", get(api, "/api/v1/issues", limit=50, sort="priority"),
         raw(f"SELECT * FROM {table} ORDER BY priority ASC, updated_at DESC, id DESC LIMIT 51")),
        ("API list, text search", get(api, "/api/v1/issues", limit=50, q="webhook crash"),
         raw(f"SELECT * FROM {table} WHERE title LIKE %s OR description LIKE %s "
             "ORDER BY updated_at DESC, id DESC LIMIT 51", ("%webhook crash%", "%webhook crash%"))),
    ]
    results = []
    for name, call, baseline in scenarios:
        samples = measure(call, requests)
        base = measure(baseline, requests)
        results.append({
            "scenario": name, "p50_ms": round(statistics.median(samples), 2),
            "p95_ms": round(percentile(samples, 0.95), 2), "sql_p50_ms": round(statistics.median(base), 3),
            "ratio_to_sql": round(statistics.median(samples) / max(statistics.median(base), 1e-6), 1),
        })
    engine = connection.vendor
    print(f"\nTierline desk benchmark: {issue_count:,} issues on {engine}, {requests} requests per scenario")
    print(f"created {issue_count:,} issues (with their events) in {desk['seconds']:.1f} s: "
          f"{desk['per_second']:,.0f} issues/s\n")
    print(f"{'scenario':<38}{'p50 ms':>9}{'p95 ms':>9}{'SQL p50':>10}{'x SQL':>8}")
    for r in results:
        print(f"{r['scenario']:<38}{r['p50_ms']:>9.2f}{r['p95_ms']:>9.2f}"
              f"{r['sql_p50_ms']:>10.3f}{r['ratio_to_sql']:>8.1f}")
    worst = max(r["p95_ms"] for r in results if "search" not in r["scenario"])
    print(f"\nworst list p95 (excluding text search): {worst:.1f} ms (target < 50 ms)")
    print(json.dumps({"benchmark": "desk", "database": engine, "issues": issue_count, "requests": requests,
                      "issues_per_second": round(desk["per_second"]), "worst_list_p95_ms": worst,
                      "scenarios": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
