"""Outages and objectives for the availability tests and the role tables."""

import itertools
from datetime import timedelta

from django.utils import timezone

from tests.factories import make_component
from tierline.availability.actions import do_record_outage, do_set_objective

_seq = itertools.count(1)


def make_outage(*, minutes: float = 30, ago=timedelta(hours=2), ended: bool = True, **fields):
    start = timezone.now() - ago
    fields.setdefault("is_global", not (fields.get("organizations") or fields.get("components")))
    return do_record_outage(actor=fields.pop("actor", None), title=fields.pop("title", f"Outage {next(_seq)}"),
                            started_at=start, ended_at=start + timedelta(minutes=minutes) if ended else None,
                            **fields)


def make_availability_ids() -> dict:
    """A component, an outage and an objective, as the URL parts of the role table's paths."""
    component = make_component()
    return {"component_id": component.pk, "outage_id": make_outage(components=[component]).pk,
            "objective_id": do_set_objective(actor=None, target="99.5", component=component).pk}
