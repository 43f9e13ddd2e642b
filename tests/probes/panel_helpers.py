"""Statuses and hits for the Investigate panel's tests, stored through the actions the agent
endpoints call (the wire format is already checked there)."""

from django.utils import timezone

from tierline.probes.actions import do_record_statuses, do_store_hits

SNAPSHOT = {
    "arguments": {"settings": {"type": "portal.config.Settings", "fields": {
        "secret": {"type": "bytes", "redacted": True, "size": 32},
        "trim_tokens": {"type": "bool", "value": True}}},
        "user": {"type": "portal.directory.User", "fields": {"username": {"type": "str", "value": "priya"}}}},
    "locals": {"token": {"type": "str", "value": "eyJzdWIi", "truncated": True, "size": 21964},
               "profile": {"type": "dict", "size": 2, "entries": [
                   [{"type": "str", "value": "groups"}, {"type": "list", "size": 361, "truncated": True,
                                                          "items": [{"type": "str", "value": "tyrell-a"}]}],
                   [{"type": "str", "value": "deep"}, {"type": "dict", "notCapturedReason": "depth"}]]}},
    "stack": [{"function": "issue_identity_token", "file": "/srv/portal/auth.py", "line": 44},
              {"function": "app", "file": "/srv/portal/app.py", "line": 90,
               "locals": {"path": {"type": "str", "value": "/sso/authorize"}}}],
}


def report_status(instance, probe, status="installed", message="", hits=0):
    do_record_statuses(instance, [{"id": probe.public_id, "version": probe.version, "status": status,
                                   "message": message, "hits": hits, "rate_limited": 0}], throttled=False)


def store_hit(instance, probe, kind="log", context=None, **payload):
    payload = payload or {"message": "token length 21964 for priya"}
    do_store_hits(instance, [{"probe_id": probe.public_id, "kind": kind, "captured_at": timezone.now(),
                              "thread": "MainThread", "location": probe.location,
                              "context": context or {"user": "priya", "organization": "tyrell-biotech"},
                              "payload": payload}])


def make_issue_probe_ids(issue) -> dict:
    """A probe on the role table's issue, for the panel's per-probe buttons."""
    from tests.probes.helpers import make_probe

    return {"issue_probe": make_probe(issue).public_id}
