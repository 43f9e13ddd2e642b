"""Writes for organizations and contacts, and for the back office around them: environment
facts, configuration snapshots, sensitivity rules, unmask grants and views of personal data."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tierline.audit.actions import AuditAction, do_record_audit
from tierline.errors import InvalidInput, PermissionDenied

from .configuration import check_configuration, diff, digest, flatten, protect_secrets
from .models import ConfigurationSnapshot, Contact, Organization, Sensitivity, SensitivityRule, UnmaskGrant
from .sensitivity import Classifier

ORGANIZATION_FIELDS = (
    "name", "email_domains", "plan", "annual_revenue", "importance", "renewal_date",
    "open_deal_value", "notes", "unmask_needs_approval",
)
# What tierline.triage scores issues by: a change rescores the organization's open issues.
PRIORITY_INPUTS = {"importance", "annual_revenue", "renewal_date", "open_deal_value"}


def _normalise_domains(domains) -> list[str]:
    cleaned = sorted({d.strip().lower().lstrip("@") for d in domains or [] if d and d.strip()})
    for domain in cleaned:
        if "." not in domain or " " in domain:
            raise InvalidInput("Invalid email domain", {"email_domains": f"not a domain: {domain!r}"})
    return cleaned


@transaction.atomic
def do_create_organization(*, name: str, actor=None, **fields) -> Organization:
    name = name.strip()
    if not name:
        raise InvalidInput("An organization needs a name", {"name": "required"})
    if Organization.objects.filter(name__iexact=name).exists():
        raise InvalidInput("An organization with this name exists", {"name": "already taken"})
    fields["email_domains"] = _normalise_domains(fields.get("email_domains"))
    unknown = set(fields) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise InvalidInput("Unknown fields", {f: "unknown field" for f in unknown})
    organization = Organization.objects.create(name=name, **fields)
    organization.refresh_from_db()
    do_record_audit(action=AuditAction.ORGANIZATION_CREATED, actor=actor, organization=organization,
                    target=organization, data={"name": name})
    return organization


@transaction.atomic
def do_update_organization(organization: Organization, *, actor=None, **changes) -> Organization:
    unknown = set(changes) - set(ORGANIZATION_FIELDS)
    if unknown:
        raise InvalidInput("Unknown fields", {f: "unknown field" for f in unknown})
    if "email_domains" in changes:
        changes["email_domains"] = _normalise_domains(changes["email_domains"])
    if "name" in changes:
        name = changes["name"].strip()
        if not name:
            raise InvalidInput("An organization needs a name", {"name": "required"})
        clash = Organization.objects.filter(name__iexact=name).exclude(pk=organization.pk)
        if clash.exists():
            raise InvalidInput("An organization with this name exists", {"name": "already taken"})
        changes["name"] = name
    before = {field: getattr(organization, field) for field in changes}
    for field, value in changes.items():
        setattr(organization, field, value)
    organization.save()
    organization.refresh_from_db()  # decimals and dates come back in their stored form
    changed = {f: [before[f], getattr(organization, f)] for f in changes if before[f] != getattr(organization, f)}
    if changed:
        do_record_audit(action=AuditAction.ORGANIZATION_CHANGED, actor=actor, organization=organization,
                        target=organization, data=changed)
    if changes.keys() & PRIORITY_INPUTS:
        from tierline.triage.tasks import recompute_organization_priorities

        transaction.on_commit(lambda: recompute_organization_priorities(organization.pk))
    return organization


def find_organization_for_email(email: str) -> Organization | None:
    domain = email.rpartition("@")[2].lower()
    if not domain:
        return None
    for organization in Organization.objects.exclude(email_domains=[]).only("id", "email_domains"):
        if domain in organization.email_domains:
            return organization
    return None


@transaction.atomic
def do_create_contact(*, email: str, name: str = "", organization: Organization | None = None,
                      phone: str = "") -> Contact:
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput("Invalid email address", {"email": "not an email address"})
    if Contact.objects.filter(email=email).exists():
        raise InvalidInput("A contact with this email exists", {"email": "already taken"})
    if organization is None:
        organization = find_organization_for_email(email)
    return Contact.objects.create(email=email, name=name.strip(), organization=organization, phone=phone)


@transaction.atomic
def do_ensure_contact_for_user(user) -> Contact:
    """The contact that stands for a portal user on the issues they open."""
    contact = Contact.objects.filter(email=user.email).first()
    if contact is None:
        contact = Contact.objects.create(
            email=user.email, name=user.name, organization=user.organization, user=user
        )
    elif contact.user_id is None:
        contact.user = user
        contact.save(update_fields=["user"])
    return contact


ENVIRONMENT_SOURCES = ("questionnaire", "agent", "staff")


@transaction.atomic
def do_update_environment(organization: Organization, facts: dict[str, str], *, source: str,
                          actor=None) -> Organization:
    """Merge environment facts (runtime, versions, cloud, deployment...) with where they came from."""
    if source not in ENVIRONMENT_SOURCES:
        raise InvalidInput("Unknown source", {"source": f"one of {', '.join(ENVIRONMENT_SOURCES)}"})
    bad = [k for k in facts if not k.strip() or len(k) > 100 or "." in k]
    if bad:
        raise InvalidInput("Invalid fact names", {"facts": "names are 1-100 characters without dots"})
    now = timezone.now().isoformat()
    environment = dict(organization.environment)
    for name, value in facts.items():
        environment[name.strip()] = {"value": str(value)[:500], "source": source, "observed_at": now}
    Organization.objects.filter(pk=organization.pk).update(environment=environment)
    organization.environment = environment
    return organization


@transaction.atomic
def do_receive_configuration(organization: Organization, data: dict, *, actor=None, received_at=None
                             ) -> tuple[ConfigurationSnapshot, bool]:
    """Keep a new snapshot unless nothing changed; returns it and whether it is new.
    `received_at` is for imports and the demo, which write history."""
    check_configuration(data)
    classifier = Classifier()
    stored = protect_secrets(data, lambda path: classifier.classify(path) == Sensitivity.SECRET)
    latest = organization.configurations.order_by("-received_at", "-id").first()
    if latest is not None and latest.digest == digest(stored):
        return latest, False
    changes = diff(flatten(latest.data) if latest else {}, flatten(stored))
    snapshot = ConfigurationSnapshot.objects.create(
        organization=organization, data=stored, digest=digest(stored), received_by=actor,
        received_at=received_at or timezone.now(),
    )
    do_record_audit(action=AuditAction.CONFIGURATION_RECEIVED, actor=actor, organization=organization,
                    target=snapshot, data={"changes": len(changes)})
    return snapshot, True


@transaction.atomic
def do_set_sensitivity_rule(*, pattern: str, sensitivity: str, actor=None) -> SensitivityRule:
    pattern = pattern.strip().lower()
    if not pattern or len(pattern) > 200 or " " in pattern:
        raise InvalidInput("Invalid pattern", {"pattern": "a dotted path, * for any part"})
    if sensitivity not in Sensitivity.values:
        raise InvalidInput("Unknown sensitivity", {"sensitivity": f"one of {', '.join(Sensitivity.values)}"})
    rule = SensitivityRule.objects.filter(pattern=pattern).first()
    before = rule.sensitivity if rule else None
    if rule is None:
        rule = SensitivityRule.objects.create(pattern=pattern, sensitivity=sensitivity, created_by=actor)
    elif before != sensitivity:
        SensitivityRule.objects.filter(pk=rule.pk).update(sensitivity=sensitivity)
        rule.sensitivity = sensitivity
    if before != sensitivity:
        do_record_audit(action=AuditAction.SENSITIVITY_CHANGED, actor=actor, target=rule, target_id=pattern,
                        data={"pattern": pattern, "before": before, "after": sensitivity})
    return rule


def _unmask_window() -> timedelta:
    return timedelta(minutes=settings.UNMASK_MINUTES)


# A request nobody approved within this time lapses: the need behind it is likely gone.
UNMASK_REQUEST_LAPSES = timedelta(hours=24)


@transaction.atomic
def do_request_unmask(organization: Organization, *, actor, issue, reason: str) -> UnmaskGrant:
    """Ask to see an organization's personal data while working on one of its open issues."""
    from tierline.accounts.permissions import has_perm

    if not has_perm(actor, "personal.unmask"):
        raise PermissionDenied("You may not unmask personal data")
    reason = reason.strip()
    if len(reason) < 10:
        raise InvalidInput("Say why you need the personal data", {"reason": "at least 10 characters"})
    if issue is None or issue.organization_id != organization.pk:
        raise InvalidInput("Name an issue of this organization", {"issue": "not an issue of this organization"})
    if issue.is_done:
        raise InvalidInput("The issue is closed", {"issue": "must be open"})
    from .queries import is_working_on

    if not is_working_on(actor, issue):
        raise PermissionDenied("Only someone working on the issue may unmask personal data for it",
                               {"issue": "be its assignee, in its team, or in a team with a task on it"})
    now = timezone.now()
    needs_approval = organization.unmask_needs_approval
    grant = UnmaskGrant.objects.create(
        organization=organization, requested_by=actor, issue=issue, reason=reason, created_at=now,
        needs_approval=needs_approval, expires_at=None if needs_approval else now + _unmask_window(),
    )
    do_record_audit(action=AuditAction.UNMASK_REQUESTED, actor=actor, organization=organization, target=grant,
                    reason=reason, data={"issue": issue.key, "needs_approval": needs_approval,
                                         "expires_at": grant.expires_at})
    return grant


@transaction.atomic
def do_approve_unmask(grant: UnmaskGrant, *, actor) -> UnmaskGrant:
    from tierline.accounts.permissions import has_perm

    grant = UnmaskGrant.objects.select_for_update().get(pk=grant.pk)
    if not has_perm(actor, "personal.approve_unmask"):
        raise PermissionDenied("You may not approve unmasking")
    if grant.requested_by_id == actor.pk:
        raise PermissionDenied("A second person must approve")
    if not grant.is_pending:
        raise InvalidInput("Nothing to approve", {"grant": "already approved or needs no approval"})
    now = timezone.now()
    if now - grant.created_at > UNMASK_REQUEST_LAPSES:
        raise InvalidInput("The request has lapsed", {"grant": "older than a day: ask again"})
    if grant.issue.is_done:
        raise InvalidInput("The issue is closed", {"grant": "the issue it names is no longer open"})
    grant.approved_by, grant.approved_at, grant.expires_at = actor, now, now + _unmask_window()
    grant.save(update_fields=["approved_by", "approved_at", "expires_at"])
    do_record_audit(action=AuditAction.UNMASK_APPROVED, actor=actor, organization=grant.organization,
                    target=grant, reason=grant.reason,
                    data={"issue": grant.issue.key, "requested_by": grant.requested_by.email,
                          "expires_at": grant.expires_at})
    return grant


@transaction.atomic
def do_record_personal_data_view(organization: Organization, *, actor, grant: UnmaskGrant, what: str) -> None:
    """Each time personal values are shown unmasked, the trail says who saw what, and why."""
    do_record_audit(action=AuditAction.PERSONAL_DATA_VIEWED, actor=actor, organization=organization,
                    target=grant, reason=grant.reason, data={"issue": grant.issue.key, "what": what})
