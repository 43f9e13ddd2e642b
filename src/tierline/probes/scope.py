"""Whose requests a probe fires for, and which customer an agent instance belongs to.

`ctx.organization` in a probe expression is what the service's request context says (the agent's
middleware, see agent/README.md): Tierline's convention is the organization's **slug**, the
Django slug of its name ("Acme Robotics" -> "acme-robotics"), which `organization_slug` computes.
A probe scoped to a customer gets `ctx.organization == "<slug>" and (<condition>)` on the wire,
scope first so a condition never even runs for other customers' requests.

An instance belongs to an organization when its `customer` or `organization` tag names one by
slug, name or email domain (as alert intake reads an alert's customer label); its runtime report
then becomes that organization's known environment (`environment_facts`).
"""

import json

from django.utils.text import slugify

from tierline.customers.models import Organization

ORGANIZATION_TAGS = ("organization", "customer")
# Tags copied into the environment under a questionnaire question's name (escalation/defaults.py).
FACT_TAGS = {"cloud": "cloud", "deployment": "deployment", "product_version": "product_version",
             "version": "product_version", "env": "environment", "environment": "environment",
             "region": "region"}
DEPLOYMENTS = ("Kubernetes", "VMs", "Docker Compose", "Serverless", "Other")
KEY_PACKAGES = 8  # the environment shows this many of the reported packages


def organization_slug(organization: Organization | None) -> str | None:
    return slugify(organization.name) if organization is not None else None


def organization_for_tags(tags: dict) -> Organization | None:
    """The organization a `customer`/`organization` tag names, or None."""
    name = next((str(tags[t]).strip() for t in ORGANIZATION_TAGS if str(tags.get(t) or "").strip()), "")
    if not name:
        return None
    found = Organization.objects.filter(name__iexact=name).first()
    if found is not None:
        return found
    wanted = name.lower()
    # Few organizations carry domains and slugs are not stored: compare in Python.
    return next((o for o in Organization.objects.only("id", "name", "email_domains", "environment")
                 if slugify(o.name) == wanted or wanted in o.email_domains), None)


def scoped_condition(condition: str, slug: str | None) -> str:
    """The condition the agent gets: the engineer's, behind the organization check when scoped."""
    if slug is None:
        return condition
    check = f"ctx.organization == {json.dumps(slug)}"
    return f"{check} and ({condition})" if condition.strip() else check


def _deployment(text: str) -> str | None:
    wanted = text.strip().lower().replace("-", " ").replace("_", " ")
    aliases = {"k8s": "Kubernetes", "vm": "VMs", "compose": "Docker Compose", "docker": "Docker Compose",
               "lambda": "Serverless"}
    return next((d for d in DEPLOYMENTS if d.lower() == wanted), aliases.get(wanted))


def environment_facts(report: dict) -> dict[str, str]:
    """The runtime report of a registration as environment facts named like the default
    questionnaire's questions (runtime, os, cloud, deployment, product_version) plus the agent's."""
    implementation = {"cpython": "CPython", "pypy": "PyPy"}.get(str(report.get("implementation", "")).lower(),
                                                               str(report.get("implementation") or "Python"))
    facts = {}
    if report.get("python"):
        facts["runtime"] = f"{implementation} {report['python']}"
    if report.get("os"):
        facts["os"] = str(report["os"])
    if report.get("agent_version"):
        facts["agent_version"] = str(report["agent_version"])
    packages = report.get("packages") or {}
    if isinstance(packages, dict) and packages:
        facts["packages"] = ", ".join(f"{k} {v}" for k, v in sorted(packages.items())[:KEY_PACKAGES])
    for tag, value in (report.get("tags") or {}).items():
        fact = FACT_TAGS.get(str(tag).lower())
        if fact == "deployment":
            value = _deployment(str(value))
        if fact and value:
            facts[fact] = str(value)
    return facts
