"""Believable demo data: a dozen customers, a team per tier, and months of issue history.

Everything is written through the same actions the product uses, with historical timestamps,
so the demo exercises the real write path. A fixed random seed keeps it reproducible.
"""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from tierline.accounts.actions import do_create_team, do_create_user, do_set_team_members
from tierline.accounts.models import Role, User
from tierline.customers.actions import do_create_contact, do_create_organization
from tierline.issues.actions import do_add_comment, do_create_component, do_create_issue, do_update_issue

from .content import COMPONENTS, CUSTOMER_REPLIES, ORGANIZATIONS, PEOPLE, STAFF, TEAMS, TITLES, resolution_note

DEMO_PASSWORD = "tierline-demo"
CHANNEL_WEIGHTS = {"portal": 34, "email": 36, "api": 9, "alert": 11, "review": 5, "metric": 3, "social": 2}
SEVERITY_WEIGHTS = {1: 4, 2: 18, 3: 50, 4: 28}
# Reports arrive mostly in business hours.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 11, 13, 14, 13, 11, 8, 5, 4, 3, 2, 2, 1]


def has_data() -> bool:
    return User.objects.exists()


def print_logins() -> None:
    if not User.objects.filter(email=STAFF[0][0]).exists():
        return
    print(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, _, role, _ in STAFF:
        print(f"  {email:<32} {Role(role).label}")
    customer = User.objects.filter(role=Role.CUSTOMER).select_related("organization").first()
    if customer:
        print(f"  {customer.email:<32} Customer at {customer.organization}")


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _business_time(rng: random.Random, day: datetime) -> datetime:
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    return day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0)


class _Cast:
    """The people and things the issues are about, loaded once."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        password_hash = make_password(DEMO_PASSWORD)  # hashing is slow on purpose; do it once
        self.teams = {}
        for slug, name, tier in TEAMS:
            self.teams[slug] = do_create_team(name=name, tier=tier, slug=slug)
        self.staff = {}
        members = {slug: [] for slug in self.teams}
        for email, name, role, team_slugs in STAFF:
            user = do_create_user(email=email, role=role, name=name, password_hash=password_hash)
            self.staff[email] = user
            for slug in team_slugs:
                members[slug].append(user)
        for slug, team in self.teams.items():
            do_set_team_members(team, members[slug])
        self.components = [
            do_create_component(name=name, owner_team=self.teams[owner]) for name, owner in COMPONENTS
        ]
        today = timezone.localdate()
        self.organizations = []
        self.contacts = {}
        for i, (name, domain, importance, plan, arr, renewal_days, deal) in enumerate(ORGANIZATIONS):
            org = do_create_organization(
                name=name, email_domains=[domain], importance=importance, plan=plan,
                annual_revenue=Decimal(arr), renewal_date=today + timedelta(days=renewal_days),
                open_deal_value=Decimal(deal),
            )
            self.organizations.append(org)
            people = PEOPLE[i % len(PEOPLE)]
            self.contacts[org.pk] = [
                do_create_contact(email=f"{first.lower()}@{domain}", name=f"{first} {last}", organization=org)
                for first, last in people
            ]
            first, last = people[0]
            do_create_user(email=f"portal@{domain}", role=Role.CUSTOMER, name=f"{first} {last} (portal)",
                           password_hash=password_hash, organization=org)
            _back_office(org, i, first.lower(), domain)
        from tierline.escalation.defaults import install_default_ladder

        install_default_ladder()
        weights = {"strategic": 5, "key": 3, "standard": 1}
        self.org_weights = [weights[o.importance] for o in self.organizations]

    def by_tier(self, tier: int) -> list[User]:
        return [self.staff[email] for email, _, role, _ in STAFF if role.endswith(f"t{tier}")]


def _back_office(org, i: int, first: str, domain: str) -> None:
    """Environment facts, two configuration snapshots, and approval for unmasking at strategic customers."""
    from tierline.customers.actions import do_receive_configuration, do_update_environment, do_update_organization

    runtime = ["CPython 3.12", "CPython 3.11", "Node.js 20", "CPython 3.10"][i % 4]
    do_update_environment(org, {"runtime": runtime, "cloud": ["AWS eu-central-1", "GCP us-east1", "on-premises"][i % 3],
                                "deployment": ["Kubernetes", "VMs", "Docker Compose"][i % 3]}, source="questionnaire")
    config = {"flags": {"sso": i % 2 == 0, "new_editor": False}, "limits": {"api_rate": 600, "seats": 25 + 5 * i},
              "smtp": {"host": f"mail.{domain}", "password": f"demo-secret-{i}"},
              "billing": {"contact_email": f"{first}@{domain}"}}
    now = timezone.now()
    do_receive_configuration(org, config, received_at=now - timedelta(days=90))
    do_receive_configuration(org, {**config, "flags": {**config["flags"], "new_editor": True},
                                   "limits": {**config["limits"], "api_rate": 300}},
                             received_at=now - timedelta(days=12 + i))
    if org.importance == "strategic":
        do_update_organization(org, unmask_needs_approval=True)


def _comment(issue, **kwargs):
    # Old replies were answered long ago: nobody is emailed about them again.
    return do_add_comment(issue, notify=False, **kwargs)


def _history(cast: _Cast, issue, created: datetime, now: datetime) -> None:
    rng = cast.rng
    t = created
    age_days = (now - created).days

    def later(minutes_low: int, minutes_high: int) -> datetime | None:
        nonlocal t
        t = t + timedelta(minutes=rng.randint(minutes_low, minutes_high))
        return t if t < now else None

    agent = rng.choice(cast.by_tier(1) + cast.by_tier(2))
    when = later(5, 60 * 30 if issue.severity > 2 else 90)
    if when is None:
        return
    issue = do_update_issue(issue, actor=agent, at=when, assignee=agent)
    greeting = f"Hi, thanks for reaching out. I'm looking into \"{issue.title}\" now and will update you here."
    _comment(issue, author=agent, is_public=True, at=later(1, 20) or when, body=greeting)
    tier = 1
    climb = rng.random()
    target = 4 if climb < 0.06 else 3 if climb < 0.16 else 2 if climb < 0.40 else 1
    while tier < target:
        when = later(60, 60 * 24 * 3)
        if when is None:
            return
        tier += 1
        team = cast.teams[{2: "support-specialists", 3: "operations", 4: "platform", 5: "core"}[tier]]
        if tier >= 4 and issue.component and issue.component.owner_team:
            team = issue.component.owner_team
        owner = rng.choice(cast.by_tier(tier))
        _comment(issue, author=issue.assignee or agent, is_public=False, at=when,
                       body=f"Handing off to tier {tier}: reproduced the symptom, logs attached in the thread; "
                            f"customer impact is {'high' if issue.priority <= 1 else 'moderate'}.")
        issue = do_update_issue(issue, actor=issue.assignee or agent, at=when, tier=tier, team=team,
                                assignee=owner, status="open")
    if rng.random() < 0.45:
        when = later(30, 60 * 24)
        if when is None:
            return
        issue = do_update_issue(issue, actor=issue.assignee, at=when, status="pending")
        _comment(issue, author=issue.assignee, is_public=True, at=when,
                       body="Could you tell us which version you are on and whether this happens for every user?")
        when = later(30, 60 * 48)
        if when is None:
            return
        _comment(issue, author_contact=issue.requester, is_public=True, at=when, channel=issue.channel
                       if issue.channel in ("email", "portal") else "portal", body=rng.choice(CUSTOMER_REPLIES))
    # Older issues are mostly resolved; the long tail stays open on purpose.
    resolve_chance = 0.97 if age_days > 45 else 0.8 if age_days > 10 else 0.35
    if tier >= 4:
        resolve_chance -= 0.25
    if rng.random() > resolve_chance:
        return
    when = later(60, 60 * 24 * (2 + 6 * tier))
    if when is None:
        return
    _comment(issue, author=issue.assignee, is_public=True, at=when, body=resolution_note(rng, issue))
    issue = do_update_issue(issue, actor=issue.assignee, at=when, status="resolved")
    when = later(60 * 24 * 3, 60 * 24 * 7)
    if when is not None:
        do_update_issue(issue, actor=None, at=when, status="closed")


@transaction.atomic
def seed_demo(*, issues: int = 2500, days: int = 182, seed: int = 7) -> None:
    rng = random.Random(seed)
    cast = _Cast(rng)
    now = timezone.now()
    start = now - timedelta(days=days)
    moments = sorted(
        _business_time(rng, start + timedelta(days=rng.random() * days)) for _ in range(issues)
    )
    for created in moments:
        if created >= now:
            created = now - timedelta(minutes=rng.randint(1, 120))
        org = rng.choices(cast.organizations, weights=cast.org_weights)[0]
        component = rng.choice(cast.components)
        title, description = rng.choice(TITLES[component.name])
        issue = do_create_issue(
            actor=None, title=title, description=description, channel=_pick(rng, CHANNEL_WEIGHTS),
            severity=_pick(rng, SEVERITY_WEIGHTS), organization=org,
            requester=rng.choice(cast.contacts[org.pk]), component=component,
            team=cast.teams["support-desk"], at=created,
        )
        _history(cast, issue, created, now)
    from tierline.metrics.demo import seed_metrics

    acme = next((o for o in cast.organizations if o.name == "Acme Robotics"), None)
    seed_metrics(rng=rng, now=now, organization=acme,
                 component=next((c for c in cast.components if c.name == "Billing"), None))
    from tierline.availability.demo import seed_availability
    from tierline.demo.portal_story import seed_portal_story
    from tierline.feedback.demo import seed_feedback
    from tierline.knowledge.demo import seed_knowledge
    from tierline.notify.demo import seed_notify
    from tierline.planning.demo import seed_planning

    seed_availability(now=now, organizations=cast.organizations, components=cast.components)

    seed_planning(rng=rng, now=now)

    seed_feedback(now=now)
    seed_knowledge(rng=rng, now=now)

    seed_notify(rng=rng, now=now)

    seed_portal_story(organization=next((o for o in cast.organizations if o.name == "Tyrell Biotech"), None))
    from tierline.insights.demo import seed_insights

    seed_insights(rng=rng, now=now)
