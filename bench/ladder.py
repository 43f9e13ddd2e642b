"""The escalation ladder at scale: the SLA sweep over many open issues, and priority scoring.

    .venv/bin/python bench/ladder.py [--quick] [--issues N] [--due N] [--database-url URL]

Creates N open issues (100,000 by default) through `do_create_issues`, each with its
first-response and resolution SLA clocks, then times:

- the idle sweep (nothing due) against the naive one that loads every open issue's clocks
  and checks them in Python: the ratio is what the `next_check_at` index buys;
- a sweep where `--due` clocks (100 by default) reach their warning, each firing a
  one-step escalation policy (marks, timeline events, run rows, steps queued), and then
  the queued steps run as the worker runs them, one batch (a mail and a timeline event each);
- priority computation per issue (the rule set alone, and applied to an issue) against the
  severity-only lookup it replaced.

Target: each sweep under 1 s at 100,000 open issues, on SQLite and PostgreSQL. The tables are
analysed after the bulk load, as the database's own maintenance (autovacuum) would do.
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
    parser.add_argument("--quick", action="store_true", help="10,000 issues")
    parser.add_argument("--issues", type=int)
    parser.add_argument("--due", type=int, default=100, help="clocks that come due in the busy sweep")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database; it is wiped")
    return parser.parse_args()


def build(issue_count: int, rng: random.Random) -> float:
    from django.utils import timezone

    from tierline.accounts.actions import do_create_user
    from tierline.customers.actions import do_create_organization
    from tierline.escalation.sla import do_create_escalation_policy, do_create_sla_policy
    from tierline.issues.actions import IssueDraft, do_create_issues

    do_create_sla_policy(name="Around the clock", first_response_minutes=8 * 60, next_response_minutes=8 * 60,
                         resolution_minutes=5 * 24 * 60)
    do_create_escalation_policy(name="Warn the assignee", trigger="warning", actions=["notify_assignee"])
    agents = [do_create_user(email=f"agent{n}@tierline.example", role="support_t1") for n in range(10)]
    orgs = [do_create_organization(name=f"Customer {n}", importance=rng.choice(["strategic", "key", "standard"]),
                                   annual_revenue=rng.choice([0, 300_000, 2_000_000]),
                                   renewal_date=(timezone.localdate() + timedelta(days=rng.randint(1, 300))))
            for n in range(50)]
    now = timezone.now()
    created, started = 0, time.perf_counter()
    while created < issue_count:
        drafts = [IssueDraft(title=f"Problem #{created + n}", severity=rng.randint(1, 4),
                             organization_id=rng.choice(orgs).pk, assignee_id=rng.choice(agents).pk,
                             created_at=now - timedelta(seconds=rng.randint(0, 3600)))
                  for n in range(min(5000, issue_count - created))]
        do_create_issues(drafts)
        created += len(drafts)
    return time.perf_counter() - started


def timed(fn, repeat: int = 5) -> float:
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> int:
    args = parse_args()
    issue_count = args.issues or (10_000 if args.quick else 100_000)
    # Steps are queued for the worker, as in production; the bench then runs them itself.
    setup_django(args.database_url, tasks_immediate=False)
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.db import connection
    from django.utils import timezone

    from tierline.customers.models import Organization
    from tierline.escalation.models import EscalationRun, SlaClock
    from tierline.escalation.policies import do_run_escalation_steps, list_due_clock_ids, sweep_sla_clocks
    from tierline.issues.actions import DEFAULT_PRIORITY_FOR_SEVERITY
    from tierline.issues.models import DONE_STATUSES, Issue
    from tierline.triage.actions import apply_priority, priority_inputs
    from tierline.triage.rules import current_rules

    rng = random.Random(42)
    build_seconds = build(issue_count, rng)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    clocks = SlaClock.objects.count()
    now = timezone.now()

    def naive_sweep():
        # What the index avoids: every open issue's clocks, checked in Python.
        due = [c for c in SlaClock.objects.filter(issue__in=Issue.objects.exclude(status__in=DONE_STATUSES))
               .only("id", "next_check_at") if c.next_check_at and c.next_check_at <= now]
        assert not due

    idle_ms = timed(lambda: sweep_sla_clocks(now))
    naive_ms = timed(naive_sweep, repeat=3)
    cutoff = (SlaClock.objects.exclude(next_check_at=None).order_by("next_check_at")
              .values_list("next_check_at", flat=True)[args.due - 1])
    assert len(list_due_clock_ids(cutoff, limit=args.due + 10)) >= args.due
    started = time.perf_counter()
    runs = sweep_sla_clocks(cutoff)
    busy_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    do_run_escalation_steps(runs)
    steps_ms = (time.perf_counter() - started) * 1000
    assert EscalationRun.objects.filter(done_at__isnull=False).count() == len(runs) >= args.due

    rules = current_rules()
    organizations = list(Organization.objects.all())
    samples = list(Issue.objects.order_by("id")[:1000])
    for issue in samples:
        issue.organization = rng.choice(organizations)
    inputs = [priority_inputs(i) for i in samples]
    per_rules_us = timed(lambda: [rules.compute(x) for x in inputs]) * 1000 / len(inputs)
    per_apply_us = timed(lambda: [apply_priority(i, actor=None, at=now) for i in samples]) * 1000 / len(samples)
    per_lookup_us = timed(lambda: [DEFAULT_PRIORITY_FOR_SEVERITY[i.severity] for i in samples]) * 1000 / len(samples)

    engine = connection.vendor
    rows = [
        ("idle sweep (nothing due)", f"{idle_ms:.2f} ms"),
        ("naive sweep (load every open issue's clocks)", f"{naive_ms:.1f} ms"),
        ("idle sweep x naive", f"{idle_ms / naive_ms:.4f}"),
        (f"busy sweep ({args.due} clocks due, {len(runs)} steps run)", f"{busy_ms:.1f} ms"),
        ("busy sweep per due clock", f"{busy_ms / args.due:.2f} ms"),
        ("running the queued steps (one batch), per step", f"{steps_ms / max(len(runs), 1):.2f} ms"),
        ("sweep and its steps, end to end", f"{busy_ms + steps_ms:.1f} ms"),
        ("priority rules per issue", f"{per_rules_us:.2f} us"),
        ("apply_priority per issue (no database)", f"{per_apply_us:.2f} us"),
        ("severity-only lookup per issue (baseline)", f"{per_lookup_us:.3f} us"),
        ("rules x lookup", f"{per_rules_us / per_lookup_us:.1f}"),
    ]
    print(f"\nTierline ladder benchmark: {issue_count:,} open issues, {clocks:,} SLA clocks on {engine}")
    print(f"created in {build_seconds:.1f} s ({issue_count / build_seconds:,.0f} issues/s, scored and with clocks)\n")
    for name, value in rows:
        print(f"{name:<52}{value:>14}")
    worst = max(idle_ms, busy_ms)
    print(f"\nworst sweep: {worst:.1f} ms (target < 1000 ms)")
    print(json.dumps({"benchmark": "ladder", "database": engine, "issues": issue_count, "clocks": clocks,
                      "idle_sweep_ms": round(idle_ms, 3), "naive_sweep_ms": round(naive_ms, 1),
                      "busy_sweep_ms": round(busy_ms, 1), "due_clocks": args.due, "steps_run": len(runs),
                      "step_ms": round(steps_ms / max(len(runs), 1), 2),
                      "sweep_and_steps_ms": round(busy_ms + steps_ms, 1),
                      "priority_rules_us": round(per_rules_us, 2), "apply_priority_us": round(per_apply_us, 2),
                      "severity_lookup_us": round(per_lookup_us, 3), "worst_sweep_ms": round(worst, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
