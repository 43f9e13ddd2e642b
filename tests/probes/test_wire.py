"""The agents' wire protocol v1 as the agent README specifies it: register, long poll, status, hits."""

import asyncio
import json

import pytest

from tests.factories import make_issue, make_org
from tests.probes.helpers import AgentClient, make_agent_token, make_instance, make_probe
from tierline.issues.models import EventKind
from tierline.probes.actions import do_remove_probe, do_revoke_agent_token
from tierline.probes.models import AgentInstance, Probe, ProbeHit, ProbeStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client():
    token, secret = make_agent_token("portal")
    return AgentClient(secret)


def test_register_answers_the_instance_id_and_keeps_the_report(agent_client):
    response = agent_client.register("5ad928c1b39443909244b00dec3fe21e", tags={"env": "prod"})
    assert response.status_code == 200 and response.json() == {"instance_id": "5ad928c1b39443909244b00dec3fe21e"}
    instance = AgentInstance.objects.get(instance_id="5ad928c1b39443909244b00dec3fe21e")
    assert (instance.service, instance.host, instance.pid, instance.python) == ("portal", "web-3", 4121, "3.11.7")
    assert instance.tags == {"env": "prod"} and instance.packages["Django"] == "5.0.6"
    assert agent_client.register("5ad928c1b39443909244b00dec3fe21e", host="web-4").status_code == 200
    assert AgentInstance.objects.get(instance_id="5ad928c1b39443909244b00dec3fe21e").host == "web-4"
    # A NUL in the report is kept as U+FFFD (PostgreSQL text and JSON cannot hold one), not a 500.
    assert agent_client.register("5ad928c1b39443909244b00dec3fe21e", host="web\x00",
                                 packages={"odd\x00": "1.0"}).status_code == 200
    instance = AgentInstance.objects.get(instance_id="5ad928c1b39443909244b00dec3fe21e")
    assert instance.host == "web\ufffd" and instance.packages == {"odd\ufffd": "1.0"}


def test_bad_tokens_and_other_services_are_refused(agent_client):
    assert AgentClient("tla_wrong").register().status_code == 401
    assert AgentClient("").register().status_code == 401
    assert agent_client.register(service="billing").status_code == 403
    response = agent_client.post("register", {"instance_id": "", "service": "portal"})
    assert response.status_code == 422 and "instance_id" in response.json()["fields"]


def test_poll_answers_the_set_at_once_then_holds_then_204(agent_client):
    org = make_org(name="Acme Robotics")
    instance_id = agent_client.register().json()["instance_id"]
    assert agent_client.poll(instance_id, 0, wait=0).status_code == 204  # no probe yet: version 0
    probe = make_probe(make_issue(org), condition="len(token) > 8000", rate=5, max_hits=100)
    answer = agent_client.poll(instance_id, 0, wait=0)
    assert answer.status_code == 200
    body = answer.json()
    assert body["version"] >= 1 and [p["id"] for p in body["probes"]] == [probe.public_id]
    wire = body["probes"][0]
    assert wire["condition"] == 'ctx.organization == "acme-robotics" and (len(token) > 8000)'
    assert (wire["kind"], wire["location"], wire["template"]) == ("log", "app/auth.py:88", "token length {len(token)}")
    assert wire["rate"] == 5 and wire["max_hits"] == 100 and wire["expires_at"] > 0 and wire["version"] == 1
    assert agent_client.poll(instance_id, body["version"], wait=0.3).status_code == 204
    do_remove_probe(probe, actor=None, reason="done")
    removed = agent_client.poll(instance_id, body["version"], wait=0)
    assert removed.status_code == 200 and removed.json()["probes"] == []
    assert removed.json()["version"] > body["version"]


def test_poll_of_an_unknown_instance_or_revoked_token_means_register_again(agent_client):
    assert agent_client.poll("never-registered").status_code == 404
    token, secret = make_agent_token("portal")
    other = AgentClient(secret)
    instance_id = other.register().json()["instance_id"]
    assert other.poll(instance_id).status_code == 204
    do_revoke_agent_token(token, actor=None)
    response = other.poll(instance_id)
    assert response.status_code == 401 and response.json()["detail"]
    assert agent_client.poll(instance_id).status_code == 404  # another token's instance: unknown here


def test_probes_narrowed_to_instances_and_tags_reach_only_those(agent_client):
    issue = make_issue(make_org())
    eu = agent_client.register(tags={"region": "eu"}).json()["instance_id"]
    us = agent_client.register(tags={"region": "us"}).json()["instance_id"]
    by_tag = make_probe(issue, tags={"region": "eu"})
    by_instance = make_probe(issue, instance_ids=[us])
    assert [p["id"] for p in agent_client.poll(eu).json()["probes"]] == [by_tag.public_id]
    assert [p["id"] for p in agent_client.poll(us).json()["probes"]] == [by_instance.public_id]


def test_status_is_stored_per_instance(agent_client):
    probe = make_probe(make_issue(make_org()))
    instance_id = agent_client.register().json()["instance_id"]
    message = "line 40 of /srv/shop/views.py has no code a probe can run at; nearest lines with code: 38, 39"
    body = {"instance_id": instance_id, "throttled": False, "probes": [
        {"id": probe.public_id, "version": 1, "status": "error", "message": message},
        {"id": "p-999999", "version": 1, "status": "installed", "message": ""}]}
    response = agent_client.post("status", body)
    assert response.status_code == 200 and response.json() == {"stored": 1, "dropped": 1}
    body["probes"] = [{"id": probe.public_id, "version": 1, "status": "installed", "hits": 12, "rate_limited": 3}]
    body["throttled"] = True
    assert agent_client.post("status", body).status_code == 200
    status = ProbeStatus.objects.get(probe=probe)
    assert (status.status, status.hits, status.rate_limited, status.is_throttled) == ("installed", 12, 3, True)
    assert agent_client.post("status", {**body, "instance_id": "nobody"}).status_code == 404
    bad = agent_client.post("status", {**body, "probes": [{"id": probe.public_id, "status": "exploded"}]})
    assert bad.status_code == 422


def _hit(probe, **fields):
    return {"kind": "log", "probe_id": probe.public_id, "probe_version": 1, "timestamp": 1764280000.12,
            "thread": "MainThread", "context": {"user": "u-42", "organization": "acme"},
            "location": "app/auth.py:88", "message": "token length 8192", **fields}


def test_hits_are_stored_with_one_timeline_event_per_probe(agent_client):
    issue = make_issue(make_org())
    probe = make_probe(issue)
    instance_id = agent_client.register().json()["instance_id"]
    snapshot = {"arguments": {"password": {"type": "str", "redacted": True, "size": 12}}, "stack": []}
    hits = [_hit(probe), _hit(probe, kind="snapshot", snapshot=snapshot),
            {"kind": "metric", "probe_id": probe.public_id, "name": "cart.items", "metric_type": "histogram",
             "start": 1764279990.0, "end": 1764280000.0, "count": 4, "sum": 31.0, "buckets": [[5, 2], ["inf", 2]]},
            _hit(probe, kind="log_record", record={"logger": "shop", "level": "DEBUG", "message": "x"}),
            _hit(probe, probe_id="p-999999"), {"kind": "nonsense"}, _hit(probe, timestamp="yesterday")]
    response = agent_client.post("hits", {"instance_id": instance_id, "dropped_total": 0, "hits": hits})
    assert response.status_code == 200 and response.json() == {"stored": 4, "dropped": 3}
    stored = list(ProbeHit.objects.filter(probe=probe).order_by("id"))
    assert [h.kind for h in stored] == ["log", "snapshot", "metric", "log_record"]
    assert stored[1].payload["snapshot"]["arguments"]["password"]["redacted"] is True
    assert stored[2].payload["metric"]["buckets"] == [[5, 2], ["inf", 2]]
    assert agent_client.post("hits", {"instance_id": instance_id, "hits": [_hit(probe)] * 3}).status_code == 200
    assert issue.events.filter(kind=EventKind.PROBE_HIT).count() == 1
    assert Probe.objects.get(pk=probe.pk).hit_count == 7


def test_hostile_hit_bodies_get_400_413_422_never_500(agent_client):
    probe = make_probe(make_issue(make_org()))
    instance_id = agent_client.register().json()["instance_id"]
    assert agent_client.post("hits", None, raw=b"{not json").status_code == 400
    assert agent_client.post("hits", None, raw=b"\xff\xfe").status_code == 400
    assert agent_client.post("hits", [1, 2]).status_code == 422
    assert agent_client.post("hits", {"instance_id": instance_id, "hits": "many"}).status_code == 422
    assert agent_client.post("hits", {"hits": []}).status_code == 422
    too_many = agent_client.post("hits", {"instance_id": instance_id, "hits": [_hit(probe)] * 501})
    assert too_many.status_code == 413 and too_many.json()["fields"]["hits"]
    nul = agent_client.post("hits", None, raw=json.dumps(
        {"instance_id": instance_id, "hits": [_hit(probe, message="a\x00b", context={"k\x00": "v"})]}).encode())
    assert nul.status_code == 200 and ProbeHit.objects.get(probe=probe).payload["message"] == "a\ufffdb"


def test_hits_too_big_are_413(agent_client, settings):
    settings.PROBE_HITS_MAX_BYTES = 1000
    probe = make_probe(make_issue(make_org()))
    instance_id = agent_client.register().json()["instance_id"]
    response = agent_client.post("hits", {"instance_id": instance_id, "hits": [_hit(probe, message="x" * 2000)]})
    assert response.status_code == 413


def test_a_probe_is_no_longer_delivered_once_its_hits_reach_max_hits(agent_client):
    probe = make_probe(make_issue(make_org()), max_hits=2)
    instance_id = agent_client.register().json()["instance_id"]
    version = agent_client.poll(instance_id).json()["version"]
    agent_client.post("hits", {"instance_id": instance_id, "hits": [_hit(probe), _hit(probe)]})
    assert Probe.objects.get(pk=probe.pk).completed_at is not None
    after = agent_client.poll(instance_id, version)
    assert after.status_code == 200 and after.json()["probes"] == []


def _status(instance_id: str, probe, status: str = "installed", message: str = ""):
    from tierline.probes.schemas import StatusIn

    return StatusIn.model_validate({"instance_id": instance_id, "probes": [
        {"id": probe.public_id, "version": probe.version, "status": status, "message": message}]})


def test_status_reports_arriving_together_are_checked_one_by_one_and_stored_together(django_assert_max_num_queries):
    from tierline.probes.longpoll import _store_status_batch

    probe = make_probe(make_issue(make_org()))
    token, secret = make_agent_token("portal")
    other_token, other_secret = make_agent_token("billing")
    instances = [make_instance(token) for _ in range(30)]
    stranger = make_instance(other_token)
    items = [(secret, _status(i.instance_id, probe, message="line 9 \x00 has no code")) for i in instances]
    items += [("tla_wrong", _status(instances[0].instance_id, probe)),  # a wrong token
              (secret, _status("nobody", probe)),  # an instance never registered
              (other_secret, _status(stranger.instance_id, probe))]  # billing reports a portal probe
    with django_assert_max_num_queries(12):  # the same for 3 instances or 300, but for the refused
        answers = _store_status_batch(items)
    assert answers[:30] == [(200, {"stored": 1, "dropped": 0})] * 30
    assert [status for status, _ in answers[30:32]] == [401, 404]
    assert answers[32] == (200, {"stored": 0, "dropped": 1})
    stored = ProbeStatus.objects.filter(probe=probe)
    assert stored.count() == 30 and {s.message for s in stored} == {"line 9 \ufffd has no code"}

    again = _store_status_batch([(secret, _status(instances[0].instance_id, probe, status="error"))])
    assert again == [(200, {"stored": 1, "dropped": 0})]
    assert ProbeStatus.objects.get(probe=probe, instance=instances[0]).status == "error"


def test_reports_that_arrive_while_a_batch_is_written_go_in_the_next_one():
    from tests.event_loop import run_async
    from tierline.probes.longpoll import StatusBatcher

    written = []

    async def run_db(function, items):
        written.append(len(items))
        await asyncio.sleep(0.05)
        return [(200, {"stored": 1, "dropped": 0, "n": payload}) for _, payload in items]

    async def scenario():
        batcher = StatusBatcher()
        first = asyncio.ensure_future(batcher.store("s", 0, run_db))
        await asyncio.sleep(0.01)  # the first batch is being written
        rest = await asyncio.gather(*(batcher.store("s", n, run_db) for n in range(1, 51)))
        return await first, rest

    first, rest = run_async(scenario)
    assert written == [1, 50]
    assert first[1]["n"] == 0 and [answer["n"] for _, answer in rest] == list(range(1, 51))
