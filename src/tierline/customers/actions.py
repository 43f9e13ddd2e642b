"""Writes for organizations and contacts."""

from django.db import transaction

from tierline.audit.actions import AuditAction, do_record_audit
from tierline.errors import InvalidInput

from .models import Contact, Organization

ORGANIZATION_FIELDS = (
    "name", "email_domains", "plan", "annual_revenue", "importance", "renewal_date",
    "open_deal_value", "notes",
)


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
