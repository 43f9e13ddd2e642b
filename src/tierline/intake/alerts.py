"""Alert payloads of each monitoring system, normalised to `Alert`s: pure functions, no database.

Each reader takes the decoded JSON and returns the alerts it carries; a payload that is not the
shape its source sends raises `ValueError` with the reason (the message is then quarantined).

The generic format, for anything else:

    {"alerts": [{"fingerprint": "db-disk-full", "status": "firing" | "resolved",
                 "title": "Disk full on db1", "description": "...", "severity": "critical" |
                 "error" | "warning" | "info", "labels": {"customer": "Acme"}, "starts_at": "..."}]}

(a single alert object without the "alerts" list is accepted too).
"""

import hashlib
import json
import re
from dataclasses import dataclass, field

FIRING, RESOLVED = "firing", "resolved"
# The sender's own severity word -> issue severity (1 outage .. 4 question).
SEVERITY = {"critical": 1, "fatal": 1, "page": 1, "p1": 1, "error": 2, "high": 2, "major": 2, "p2": 2,
            "warning": 3, "warn": 3, "medium": 3, "minor": 3, "p3": 3, "info": 4, "low": 4, "debug": 4,
            "p4": 4, "p5": 4}
# Issue severity -> the alert level the priority rules score (tierline.triage.rules alert_points).
LEVELS = {1: "critical", 2: "error", 3: "warning", 4: "info"}


@dataclass
class Alert:
    fingerprint: str
    state: str
    title: str
    description: str = ""
    severity: int = 3
    level: str = ""  # the sender's own level in our words, "" when it named none
    labels: dict[str, str] = field(default_factory=dict)
    starts_at: str = ""
    url: str = ""


def _how_bad(*words) -> dict:
    """Severity and level from the first word the sender used for how bad it is (severity 3 and
    no level when it used none)."""
    for word in words:
        if isinstance(word, int) and not isinstance(word, bool) and word in LEVELS:
            return {"severity": word, "level": LEVELS[word]}
        if isinstance(word, str) and word.strip().lower() in SEVERITY:
            severity = SEVERITY[word.strip().lower()]
            return {"severity": severity, "level": LEVELS[severity]}
    return {"severity": 3, "level": ""}


def _labels(value) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k)[:100]: str(v)[:500] for k, v in value.items()}
    if isinstance(value, list):  # Datadog tags: ["customer:acme", "env:prod"]; Sentry: [["customer", "acme"]]
        pairs = [str(t).partition(":")[::2] for t in value if isinstance(t, str) and ":" in t]
        pairs += [t for t in value if isinstance(t, list) and len(t) == 2]
        return {str(k).strip()[:100]: str(v).strip()[:500] for k, v in pairs}
    return {}


def _hash(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:40]


def _dict(value, what: str) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not an object")
    return value


def read_alertmanager(payload) -> list[Alert]:
    payload = _dict(payload, "payload")
    alerts = payload.get("alerts")
    if not isinstance(alerts, list):
        raise ValueError("no 'alerts' list: not an Alertmanager webhook")
    result = []
    for item in alerts:
        item = _dict(item, "alert")
        labels = _labels(item.get("labels"))
        annotations = _labels(item.get("annotations"))
        state = RESOLVED if str(item.get("status", payload.get("status"))).lower() == RESOLVED else FIRING
        result.append(Alert(
            fingerprint=str(item.get("fingerprint") or _hash(sorted(labels.items()))),
            state=state,
            title=annotations.get("summary") or labels.get("alertname") or "Alert",
            description=annotations.get("description") or annotations.get("message", ""),
            **_how_bad(labels.get("severity"), annotations.get("severity")),
            labels=labels, starts_at=str(item.get("startsAt", "")),
            url=str(item.get("generatorURL") or item.get("panelURL") or ""),
        ))
    return result


def read_grafana(payload) -> list[Alert]:
    payload = _dict(payload, "payload")
    if isinstance(payload.get("alerts"), list):  # Grafana 8+ unified alerting: Alertmanager's shape
        return read_alertmanager(payload)
    if "state" not in payload or not ("ruleId" in payload or "ruleName" in payload):
        raise ValueError("neither 'alerts' nor 'ruleId'/'state': not a Grafana alert")
    state = str(payload["state"]).lower()
    if state in ("paused", "pending"):
        return []
    tags = _labels(payload.get("tags"))
    return [Alert(
        fingerprint=f"rule:{payload.get('ruleId') or payload.get('ruleName')}",
        state=RESOLVED if state == "ok" else FIRING,
        title=str(payload.get("ruleName") or payload.get("title") or "Grafana alert"),
        description=str(payload.get("message") or ""), **_how_bad(tags.get("severity")),
        labels=tags, url=str(payload.get("ruleUrl") or ""),
    )]


def read_sentry(payload) -> list[Alert]:
    payload = _dict(payload, "payload")
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    issue = data.get("issue") or {}
    event = data.get("event") or payload.get("event") or {}
    if not isinstance(issue, dict) or not isinstance(event, dict):
        raise ValueError("'issue' and 'event' must be objects")
    group_id = issue.get("id") or event.get("issue_id") or event.get("group_id") or payload.get("id")
    if group_id is None:
        raise ValueError("no issue id: not a Sentry alert")
    action = str(payload.get("action", "")).lower()
    status = str(issue.get("status", "")).lower()
    resolved = action == "resolved" or status == "resolved"
    return [Alert(
        fingerprint=f"sentry:{group_id}", state=RESOLVED if resolved else FIRING,
        title=str(issue.get("title") or event.get("title") or payload.get("message") or "Sentry issue"),
        description=str(issue.get("culprit") or event.get("culprit") or payload.get("culprit") or ""),
        **_how_bad(issue.get("level"), event.get("level"), payload.get("level"), "error"),
        labels=_labels(event.get("tags")) if isinstance(event.get("tags"), (dict, list)) else {},
        url=str(issue.get("web_url") or event.get("web_url") or payload.get("url") or ""),
    )]


def read_pagerduty(payload) -> list[Alert]:
    payload = _dict(payload, "payload")
    if isinstance(payload.get("messages"), list):  # the v1 webhook: incidents changing state
        result = []
        for message in payload["messages"]:
            message = _dict(message, "message")
            incident = _dict((message.get("data") or {}).get("incident", {}), "incident")
            kind = str(message.get("type", ""))
            if kind.endswith(("acknowledge", "unacknowledge", "assign", "delegate", "escalate")):
                continue
            summary = (incident.get("trigger_summary_data") or {}).get("subject")
            result.append(Alert(
                fingerprint=str(incident.get("incident_key") or incident.get("id") or _hash(incident)),
                state=RESOLVED if kind.endswith("resolve") else FIRING,
                title=str(summary or incident.get("id") or "PagerDuty incident"),
                severity=2, url=str(incident.get("html_url") or ""),
            ))
        return result
    action = payload.get("event_action")
    if action not in ("trigger", "acknowledge", "resolve"):
        raise ValueError("event_action must be trigger, acknowledge or resolve")
    if action == "acknowledge":
        return []
    details = payload.get("payload") if isinstance(payload.get("payload"), dict) else {}
    dedup_key = payload.get("dedup_key")
    if action == "resolve" and not dedup_key:
        raise ValueError("a resolve event needs its dedup_key")
    custom = details.get("custom_details")
    return [Alert(
        fingerprint=str(dedup_key or _hash(details.get("summary"), details.get("source"))),
        state=RESOLVED if action == "resolve" else FIRING,
        title=str(details.get("summary") or "PagerDuty event"),
        description=json.dumps(custom, indent=2) if isinstance(custom, (dict, list)) else str(custom or ""),
        **_how_bad(details.get("severity")),
        labels=_labels(custom if isinstance(custom, dict) else {}) | _labels({"source": details.get("source", "")}),
    )]


# Datadog's default template puts the transition in the title: "[Recovered] CPU high on web-3",
# "[Triggered on {host:web-3}] ...".
_DATADOG_TITLE_RE = re.compile(r"^\[(?P<transition>[^\]]*)\]\s*(?P<title>.*)$", re.S)
_DATADOG_RESOLVED = ("recovered", "resolved", "ok", "warn recovered")


def read_datadog(payload) -> list[Alert]:
    payload = _dict(payload, "payload")
    title = str(payload.get("title") or payload.get("event_title") or "")
    if not title:
        raise ValueError("no 'title': not a Datadog webhook")
    in_title = _DATADOG_TITLE_RE.match(title)
    if in_title:
        title = in_title["title"].strip() or title
    transition = str(payload.get("alert_transition") or payload.get("transition")
                     or (in_title["transition"].split(" on ")[0] if in_title else "") or "Triggered").strip().lower()
    tags = payload.get("tags")
    return [Alert(
        fingerprint=str(payload.get("aggregate") or payload.get("alert_id") or _hash(title)),
        state=RESOLVED if transition in _DATADOG_RESOLVED else FIRING,
        title=title, description=str(payload.get("body") or payload.get("event_msg") or "").replace("%%%", "").strip(),
        **_how_bad(payload.get("alert_priority"), payload.get("priority"), payload.get("alert_type")),
        labels=_labels(tags.split(",") if isinstance(tags, str) else tags),
        url=str(payload.get("link") or payload.get("url") or ""),
    )]


def read_generic(payload) -> list[Alert]:
    items = _dict(payload, "payload").get("alerts", [payload])
    if not isinstance(items, list):
        raise ValueError("'alerts' must be a list")
    result = []
    for item in items:
        item = _dict(item, "alert")
        if not item.get("fingerprint") or not item.get("title"):
            raise ValueError("each alert needs 'fingerprint' and 'title'")
        result.append(Alert(
            fingerprint=str(item["fingerprint"]),
            state=RESOLVED if str(item.get("status", FIRING)).lower() == RESOLVED else FIRING,
            title=str(item["title"]), description=str(item.get("description") or ""),
            **_how_bad(item.get("severity")),
            labels=_labels(item.get("labels")), starts_at=str(item.get("starts_at") or ""),
            url=str(item.get("url") or ""),
        ))
    return result


READERS = {
    "alertmanager": read_alertmanager, "grafana": read_grafana, "sentry": read_sentry,
    "pagerduty": read_pagerduty, "datadog": read_datadog, "generic": read_generic,
}


def read_alerts(source: str, body: bytes) -> list[Alert]:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"not JSON: {error}") from None
    alerts = READERS[source](payload)
    for alert in alerts:
        alert.fingerprint = alert.fingerprint[:255]
        alert.title = " ".join(alert.title.split())[:300] or "Alert"
    return alerts
