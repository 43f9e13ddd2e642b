"""A year of issue history for bench/insights.py, written in bulk (COPY on PostgreSQL, executemany
on SQLite), not through the actions. Only what the analytics read is written: issues, their
tier and team changes and reopenings (timeline events), first-response and resolution SLA clocks,
problems and their links. A fixed seed keeps it reproducible."""

import json
import random
from datetime import timedelta

CHANNELS = {"portal": 34, "email": 36, "api": 9, "alert": 11, "review": 5, "metric": 3, "phone": 2}
PRIORITIES = {0: 3, 1: 12, 2: 55, 3: 30}
FIRST_RESPONSE_TARGET = {0: 30, 1: 120, 2: 480, 3: 1440}  # minutes, around the clock here
RESOLUTION_TARGET = {0: 480, 1: 2880, 2: 7200, 3: 14400}
BATCH = 20_000


class Writer:
    def __init__(self, connection):
        self.connection, self.quote = connection, connection.ops.quote_name
        self.is_postgres = connection.vendor == "postgresql"

    def value(self, v):
        if isinstance(v, dict | list):
            return json.dumps(v)
        if hasattr(v, "tzinfo") and not self.is_postgres:
            return self.connection.ops.adapt_datetimefield_value(v)
        return v

    def write(self, model, columns: list[str], rows: list[tuple]) -> None:
        table = self.quote(model._meta.db_table)
        names = ", ".join(self.quote(c) for c in columns)
        with self.connection.cursor() as cursor:
            if self.is_postgres:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row([self.value(v) for v in row])
            else:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",
                                   [[self.value(v) for v in row] for row in rows])


def _cast():
    from tierline.accounts.actions import do_create_team
    from tierline.customers.actions import do_create_organization
    from tierline.issues.actions import do_create_component

    teams = {tier: do_create_team(name=f"Tier {tier} team", tier=tier) for tier in range(1, 6)}
    orgs = [do_create_organization(name=f"Customer {n}", email_domains=[f"c{n}.example"],
                                   importance=("strategic" if n % 17 == 0 else "key" if n % 5 == 0 else "standard"),
                                   annual_revenue=(n % 40) * 25_000) for n in range(200)]
    components = [do_create_component(name=f"Component {n}", owner_team=teams[4 + n % 2]) for n in range(20)]
    return teams, orgs, components


def generate(count: int, seed: int = 42) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from tierline.escalation.models import Problem, ProblemLink, SlaClock
    from tierline.issues.models import Issue, IssueEvent

    rng = random.Random(seed)
    teams, orgs, components = _cast()
    writer, now = Writer(connection), timezone.now()
    problems = [Problem(title=f"Root cause {n}", created_at=now - timedelta(days=360), updated_at=now)
                for n in range(300)]
    Problem.objects.bulk_create(problems)
    fields = Issue._meta.concrete_fields
    defaults = {f.column: f.get_default() for f in fields}
    columns = [f.column for f in fields]
    org_weights = [5 if o.importance == "strategic" else 3 if o.importance == "key" else 1 for o in orgs]
    channels, channel_w = list(CHANNELS), list(CHANNELS.values())
    prios, prio_w = list(PRIORITIES), list(PRIORITIES.values())
    event_columns = ["issue_id", "kind", "data", "created_at"]
    clock_columns = ["issue_id", "kind", "round", "target_minutes", "started_at", "paused_minutes", "paused_at",
                     "warn_at", "due_at", "stopped_at", "breached_at"]
    for start in range(1, count + 1, BATCH):
        issues, events, clocks, links = [], [], [], []
        for pk in range(start, min(start + BATCH, count + 1)):
            created = now - timedelta(minutes=rng.random() * 365 * 24 * 60)
            age_days = (now - created).days
            priority = rng.choices(prios, prio_w)[0]
            org = rng.choices(orgs, org_weights)[0]
            tier, team, t = 1, teams[1], created
            while tier < 5 and rng.random() < (0.35 if tier < 3 else 0.25):
                t += timedelta(minutes=rng.expovariate(1 / 1440))
                before_team, tier = team, tier + 1
                team = teams[tier]
                events.append((pk, "tier_changed", {"from": tier - 1, "to": tier}, t))
                events.append((pk, "team_changed", {"from": {"id": before_team.pk, "name": before_team.name},
                                                    "to": {"id": team.pk, "name": team.name}}, t))
            responded = created + timedelta(minutes=rng.lognormvariate(4.0, 1.2)) if rng.random() < 0.97 else None
            done = rng.random() < (0.93 if age_days > 30 else 0.55)
            resolved = created + timedelta(minutes=rng.lognormvariate(7.5, 1.1) * tier) if done else None
            if resolved and resolved > now:
                resolved, done = None, False
            if done and rng.random() < 0.03:
                events.append((pk, "reopened", {"from": "resolved", "to": "open"}, resolved))
            row = {**defaults, "id": pk, "title": f"Problem report {pk}",
                   "channel": rng.choices(channels, channel_w)[0],
                   "status": "closed" if done else rng.choice(("open", "pending", "new")), "severity": 3,
                   "priority": priority, "tier": tier, "organization_id": org.pk, "team_id": team.pk,
                   "component_id": rng.choice(components).pk, "created_at": created, "updated_at": resolved or t,
                   "first_response_at": responded, "resolved_at": resolved, "requester_id": None,
                   "assignee_id": None, "priority_override_by_id": None}
            issues.append(tuple(row[c] for c in columns))
            first_due = created + timedelta(minutes=FIRST_RESPONSE_TARGET[priority])
            clocks.append((pk, "first_response", 1, FIRST_RESPONSE_TARGET[priority], created, 0, None, created,
                           first_due, responded, first_due if (responded or now) > first_due else None))
            due = created + timedelta(minutes=RESOLUTION_TARGET[priority])
            clocks.append((pk, "resolution", 1, RESOLUTION_TARGET[priority], created, 0, resolved, created, due,
                           None, due if (resolved or now) > due else None))
            if rng.random() < 0.02:
                links.append((rng.choice(problems).pk, pk, created))
        with transaction.atomic():
            writer.write(Issue, columns, issues)
            writer.write(IssueEvent, event_columns, events)
            writer.write(SlaClock, clock_columns, clocks)
            writer.write(ProblemLink, ["problem_id", "issue_id", "linked_at"], links)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{Issue._meta.db_table}', 'id'), {count})")
