"""`do_record_audit`: the one way to write to the audit trail.

Call it from inside the action whose act it records, so the entry commits or rolls back with
the change itself. Actions (the `action` argument) are dotted nouns and verbs, listed in
`AuditAction`; `reason` is the why the user gave, `data` small JSON details (never secrets).
"""

import json
from ipaddress import ip_address as parse_ip

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .chain import GENESIS, entry_digest
from .context import current_origin
from .models import AuditChainHead, AuditEntry


class AuditAction:
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"
    USER_CREATED = "user.created"
    USER_CHANGED = "user.changed"  # role, activation, password
    TEAM_MEMBERS_CHANGED = "team.members_changed"
    ORGANIZATION_CREATED = "organization.created"
    ORGANIZATION_CHANGED = "organization.changed"
    PERSONAL_DATA_VIEWED = "personal_data.viewed"
    UNMASK_REQUESTED = "personal_data.unmask_requested"
    UNMASK_APPROVED = "personal_data.unmask_approved"
    SENSITIVITY_CHANGED = "sensitivity.changed"
    CONFIGURATION_RECEIVED = "configuration.received"
    EXPORTED = "audit.exported"
    PRIORITY_OVERRIDDEN = "issue.priority_overridden"
    PRIORITY_OVERRIDE_REMOVED = "issue.priority_override_removed"
    LOGIN_THROTTLED = "login.throttled"
    CHAT_KEY_CREATED = "chat_key.created"  # a key that signs chat widget identities
    CHAT_KEY_ROTATED = "chat_key.rotated"
    CHAT_KEY_REVOKED = "chat_key.revoked"
    PHONE_LINE_CREATED = "phone_line.created"
    PHONE_LINE_TOKEN_CHANGED = "phone_line.token_changed"  # the provider's auth token set again
    PROBE_CREATED = "probe.created"  # data: location, service, scope (organization or all customers)
    PROBE_CHANGED = "probe.changed"
    PROBE_REMOVED = "probe.removed"
    AGENT_TOKEN_CREATED = "agent_token.created"
    AGENT_TOKEN_REVOKED = "agent_token.revoked"
    INSIGHTS_EXPORTED = "insights.exported"  # an analytics table naming customers, as CSV
    WEBHOOK_CREATED = "webhook.created"  # an outgoing webhook endpoint
    WEBHOOK_CHANGED = "webhook.changed"
    WEBHOOK_REMOVED = "webhook.removed"
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated"
    FEATURE_REQUESTS_EXPORTED = "feature_request.exported"  # who asked and their revenue, as CSV
    BUDGET_SET = "planning.budget_set"  # a team's unplanned-work budget from a date on
    OBJECTIVE_CHANGED = "availability.objective_changed"  # a plan's, customer's or component's objective
    OBJECTIVE_REMOVED = "availability.objective_removed"


# What a customer sees in "who looked at our data".
PERSONAL_DATA_ACTIONS = (AuditAction.PERSONAL_DATA_VIEWED, AuditAction.UNMASK_REQUESTED,
                         AuditAction.UNMASK_APPROVED)


def _json_safe(data: dict | None) -> dict:
    # Decimals, dates and the like become their JSON text now, so the hash is computed over
    # exactly what the database gives back later.
    return json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(parse_ip(value)) if value else None
    except ValueError:
        return None


@transaction.atomic
def do_record_audit(*, action: str, actor=None, organization=None, target=None, target_type: str = "",
                    target_id: str = "", reason: str = "", data: dict | None = None,
                    ip_address: str | None = None, user_agent: str | None = None) -> AuditEntry:
    """Append one entry. `target` (any model instance) fills target_type/target_id; the
    request's origin is used unless ip_address/user_agent are given."""
    origin = current_origin()
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(getattr(target, "key", None) or target.pk)
    AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
    head = AuditChainHead.objects.select_for_update().get(pk=1)
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_email=getattr(actor, "email", "") or "",
        action=action[:64], organization=organization, target_type=target_type[:64], target_id=str(target_id)[:64],
        reason=reason, ip_address=_valid_ip(ip_address if ip_address is not None else origin.ip_address),
        user_agent=(user_agent if user_agent is not None else origin.user_agent)[:300],
        data=_json_safe(data), prev_hash=head.last_hash or GENESIS,
    )
    entry.entry_hash = entry_digest(entry)
    entry.save()
    AuditChainHead.objects.filter(pk=1).update(last_hash=entry.entry_hash, length=head.length + 1)
    return entry


EXPORT_LIMIT = 10_000


@transaction.atomic
def do_export_audit(*, actor, rows, description: dict) -> tuple[list[AuditEntry], bool]:
    """The rows of an export (at most EXPORT_LIMIT) and whether more matched; the export
    itself is recorded, with the filters that chose the rows."""
    entries = list(rows.order_by("id")[: EXPORT_LIMIT + 1])
    truncated = len(entries) > EXPORT_LIMIT
    entries = entries[:EXPORT_LIMIT]
    do_record_audit(action=AuditAction.EXPORTED, actor=actor, data={**description, "rows": len(entries)})
    return entries, truncated
