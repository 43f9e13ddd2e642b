"""Hits hold live values from customers' requests: they expire after the retention period."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_issue, make_org
from tests.probes.helpers import make_agent_token, make_instance, make_probe
from tierline.probes.actions import do_store_hits
from tierline.probes.models import ProbeHit
from tierline.probes.tasks import expire_probe_hits

pytestmark = pytest.mark.django_db


def test_old_hits_expire_and_recent_ones_stay(settings):
    settings.PROBE_HIT_RETENTION_DAYS = 14
    probe = make_probe(make_issue(make_org()))
    instance = make_instance(make_agent_token()[0])
    hit = {"kind": "log", "probe_id": probe.public_id, "captured_at": timezone.now(), "thread": "", "location": "",
           "context": {}, "payload": {"message": "x"}}
    assert do_store_hits(instance, [hit] * 3) == (3, 0)
    old = list(ProbeHit.objects.order_by("id")[:2])
    ProbeHit.objects.filter(pk__in=[h.pk for h in old]).update(received_at=timezone.now() - timedelta(days=15))
    expire_probe_hits.call_local()
    assert list(ProbeHit.objects.values_list("pk", flat=True)) == [ProbeHit.objects.get().pk]
    settings.PROBE_HIT_RETENTION_DAYS = 0
    expire_probe_hits.call_local()
    assert not ProbeHit.objects.exists()
