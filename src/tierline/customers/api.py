"""/organizations and /contacts."""

from ninja import Query, Router, Status

from tierline.accounts.permissions import has_perm, scope_contacts, scope_organizations
from tierline.errors import InvalidInput, NotFound, PermissionDenied
from tierline.pagination import BY_ID, paginate
from tierline.schemas import ERRORS, QueryRowId

from .actions import do_create_contact, do_create_organization, do_update_organization
from .masking import PersonalData
from .models import Contact, Importance, Organization, Plan
from .schemas import (
    ContactIn,
    ContactList,
    ContactOut,
    OrganizationIn,
    OrganizationList,
    OrganizationOut,
    OrganizationPatch,
)

router = Router(tags=["customers"])


def _check_choices(data: dict) -> None:
    if "plan" in data and data["plan"] not in Plan.values:
        raise InvalidInput("Invalid plan", {"plan": f"one of {', '.join(Plan.values)}"})
    if "importance" in data and data["importance"] not in Importance.values:
        raise InvalidInput("Invalid importance", {"importance": f"one of {', '.join(Importance.values)}"})


def _get_organization(user, organization_id: int) -> Organization:
    organization = scope_organizations(user, Organization.objects.all()).filter(pk=organization_id).first()
    if organization is None:
        raise NotFound("Organization not found")
    return organization


@router.get("/organizations", response={200: OrganizationList, **ERRORS})
def list_organizations(request, cursor: str | None = None, limit: int = Query(50, ge=1, le=100)):
    rows = scope_organizations(request.auth, Organization.objects.all())
    items, next_cursor = paginate(rows, BY_ID, cursor=cursor, limit=limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/organizations", response={201: OrganizationOut, **ERRORS})
def create_organization(request, payload: OrganizationIn):
    if not has_perm(request.auth, "organization.manage"):
        raise PermissionDenied("Only admins can create organizations")
    data = payload.model_dump()
    _check_choices(data)
    return Status(201, do_create_organization(actor=request.auth, **data))


@router.get("/organizations/{int:organization_id}", response={200: OrganizationOut, **ERRORS})
def get_organization(request, organization_id: int):
    return _get_organization(request.auth, organization_id)


@router.patch("/organizations/{int:organization_id}", response={200: OrganizationOut, **ERRORS})
def update_organization(request, organization_id: int, payload: OrganizationPatch):
    organization = _get_organization(request.auth, organization_id)
    if not has_perm(request.auth, "organization.manage"):
        raise PermissionDenied("Only admins can change organizations")
    changes = payload.model_dump(exclude_unset=True)
    _check_choices(changes)
    return do_update_organization(organization, actor=request.auth, **changes)


@router.get("/contacts", response={200: ContactList, **ERRORS})
def list_contacts(request, organization_id: QueryRowId | None = None, q: str = Query("", max_length=200),
                  cursor: str | None = None, limit: int = Query(50, ge=1, le=100)):
    """Names, addresses and phones are masked unless the caller may see them (customers/masking.py).
    Staff find a contact by its exact address or name only: a substring search over masked values
    would let them read the values a character at a time."""
    user = request.auth
    rows = scope_contacts(user, Contact.objects.all())
    if organization_id is not None:
        rows = rows.filter(organization_id=organization_id)
    text = q.strip()
    if text and has_perm(user, "personal.view_own_organization"):
        rows = rows.filter(email__icontains=text) | rows.filter(name__icontains=text)
    elif text:
        rows = rows.filter(email__iexact=text) | rows.filter(name__iexact=text)
    items, next_cursor = paginate(rows, BY_ID, cursor=cursor, limit=limit)
    privacy = PersonalData(user, what="contacts")
    return {"items": [privacy.contact(c) for c in items], "next_cursor": next_cursor}


@router.post("/contacts", response={201: ContactOut, **ERRORS})
def create_contact(request, payload: ContactIn):
    if not has_perm(request.auth, "contact.manage"):
        raise PermissionDenied("Only staff can create contacts")
    organization = None
    if payload.organization_id is not None:
        organization = Organization.objects.filter(pk=payload.organization_id).first()
        if organization is None:
            raise InvalidInput("Unknown organization", {"organization_id": "no such organization"})
    contact = do_create_contact(email=payload.email, name=payload.name, phone=payload.phone,
                                organization=organization)
    # The echo of what the caller has just typed (normalised) discloses nothing: unmasked.
    return Status(201, contact)


@router.get("/contacts/{int:contact_id}", response={200: ContactOut, **ERRORS})
def get_contact(request, contact_id: int):
    contact = scope_contacts(request.auth, Contact.objects.all()).filter(pk=contact_id).first()
    if contact is None:
        raise NotFound("Contact not found")
    return PersonalData(request.auth, what=f"contact {contact.pk}").contact(contact)
