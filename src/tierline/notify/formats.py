"""What a webhook delivery's body says, in the endpoint's format: `json` (Tierline's own document)
or `slack` (`{"text", "blocks"}`, as Slack's incoming webhooks take). Pure: the caller loads the
issue. No requester names or addresses: an endpoint is another system, not a reader we mask for.
"""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from tierline.issues.models import Issue

from .models import WebhookDelivery, WebhookFormat

HEADLINES = {
    "issue.created": "New issue", "issue.status_changed": "Status changed", "issue.resolved": "Resolved",
    "issue.reopened": "Reopened", "issue.escalated": "Escalated", "issue.commented": "New public reply",
    "issue.sla_breached": "SLA breached", "issue.fix_shipped": "Fix shipped",
    "issue.satisfaction_rated": "Customer rated the resolution", "ping": "Test event",
}


def issue_document(issue: Issue | None) -> dict | None:
    if issue is None:
        return None
    organization = {"id": issue.organization_id, "name": issue.organization.name} if issue.organization_id else None
    return {
        "key": issue.key, "title": issue.title, "status": issue.status, "priority": f"P{issue.priority}",
        "severity": f"S{issue.severity}", "tier": issue.tier, "channel": issue.channel,
        "organization": organization,
        "team": issue.team.name if issue.team_id else None,
        "url": f"{settings.BASE_URL}/desk/issues/{issue.key}/",
    }


def json_body(delivery: WebhookDelivery, issue: Issue | None) -> dict:
    return {"id": delivery.pk, "event": delivery.event, "occurred_at": delivery.occurred_at,
            "issue": issue_document(issue), "data": delivery.data}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(delivery: WebhookDelivery, issue: Issue | None) -> dict:
    headline = HEADLINES.get(delivery.event, delivery.event)
    if issue is None:
        text = f"Tierline: {headline}"
        return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": _escape(text)}}]}
    document = issue_document(issue)
    text = f"{headline}: {issue.key} {issue.title}"
    facts = [issue.get_status_display(), document["priority"], document["organization"]["name"]
             if document["organization"] else "no customer"]
    detail = _detail(delivery)
    link = f"*{_escape(headline)}*: <{document['url']}|{issue.key}> {_escape(issue.title)}"
    return {"text": text, "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": link}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _escape(" · ".join(facts + detail))}]},
    ]}


def _detail(delivery: WebhookDelivery) -> list[str]:
    data = delivery.data or {}
    if delivery.event in ("issue.status_changed", "issue.resolved") and data.get("to"):
        return [f"{data.get('from')} → {data['to']}"]
    if delivery.event == "issue.escalated" and data.get("to_name"):
        return [f"to tier {data.get('to')} ({data['to_name']})"]
    if delivery.event == "issue.fix_shipped" and data.get("version"):
        return [f"version {data['version']}"]
    if delivery.event == "issue.satisfaction_rated":
        return [f"rated {data.get('rating')}"]
    if delivery.event == "issue.sla_breached":
        return [f"{data.get('clock', 'SLA')} target missed"]
    return []


def render_body(delivery: WebhookDelivery, issue: Issue | None, format: str) -> str:
    document = slack_body(delivery, issue) if format == WebhookFormat.SLACK else json_body(delivery, issue)
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":"))
