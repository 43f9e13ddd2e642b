"""Objectives edited in /admin/ go through the audited actions, and impossible ones are refused."""

import pytest

from tests.factories import make_staff
from tierline.audit.models import AuditEntry
from tierline.availability.models import Objective

pytestmark = pytest.mark.django_db


def test_an_objective_saved_in_the_admin_is_audited(client):
    admin = make_staff("admin")
    client.force_login(admin)
    response = client.post("/admin/availability/objective/add/", {"plan": "business", "target": "99.95"})
    assert response.status_code == 302, response.content
    objective = Objective.objects.get()
    assert objective.plan == "business" and objective.updated_by == admin
    entry = AuditEntry.objects.get(action="availability.objective_changed")
    assert entry.actor == admin and entry.data["to"] == "99.95"
    client.post(f"/admin/availability/objective/{objective.pk}/delete/", {"post": "yes"})
    assert not Objective.objects.exists()
    assert AuditEntry.objects.filter(action="availability.objective_removed").count() == 1


def test_the_admin_refuses_an_impossible_objective(client):
    client.force_login(make_staff("admin"))
    response = client.post("/admin/availability/objective/add/", {"plan": "business", "target": "100"})
    assert response.status_code == 200 and b"percentage from 50" in response.content
    response = client.post("/admin/availability/objective/add/", {"target": "99.9"})
    assert b"exactly one of plan" in response.content
    assert not Objective.objects.exists()
