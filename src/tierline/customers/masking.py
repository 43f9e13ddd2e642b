"""Personal data as one reader may see it, for every surface that shows people.

`Classifier.show` (sensitivity.py) is the one function that masks a value; this module decides,
per reader and organization, whether it is called with `unmasked=True`:

- staff see an organization's personal values only while they hold an active `UnmaskGrant` for
  it, and the first unmasked showing per request is recorded in the audit trail (who, what, why,
  the issue named by the grant, from where);
- a customer sees the people of their own organization (their colleagues: it is their
  organization's own data, `personal.view_own_organization`), never anyone else's;
- everyone else, and contacts of no organization, see masks. Secrets are never shown to anyone.

The desk issue page, the issues and contacts API, the portal and the customer page all build one
`PersonalData` per request and ask it, so no surface decides masking by itself.
"""

from django.utils import timezone

from tierline.accounts.permissions import has_perm, is_staff_member

from .models import Sensitivity, UnmaskGrant
from .sensitivity import MASK, Classifier


class PersonalData:
    def __init__(self, reader, *, what: str, organization_id: int | None = None,
                 classifier: Classifier | None = None):
        self.reader = reader
        self.what = what  # recorded with each unmasked showing: "issue TL-42", "contacts"...
        self.organization_id = organization_id  # of free-standing values (`personal`)
        self.classifier = classifier
        self._grants: dict[int, UnmaskGrant] | None = None
        self._recorded: set[int] = set()

    def _classifier(self) -> Classifier:
        if self.classifier is None:
            self.classifier = Classifier()
        return self.classifier

    def grant_for(self, organization_id: int | None) -> UnmaskGrant | None:
        reader = self.reader
        if organization_id is None or reader is None or not is_staff_member(reader):
            return None
        if self._grants is None:  # one query for every organization the request shows
            rows = (UnmaskGrant.objects.select_related("issue")
                    .filter(requested_by=reader, expires_at__gt=timezone.now()).order_by("expires_at"))
            self._grants = {grant.organization_id: grant for grant in rows}
        return self._grants.get(organization_id)

    def is_unmasked(self, organization_id: int | None) -> bool:
        reader = self.reader
        if organization_id is None or reader is None or not reader.is_authenticated:
            return False
        if has_perm(reader, "personal.view_own_organization"):
            return reader.organization_id == organization_id
        return self.grant_for(organization_id) is not None

    def show(self, organization_id: int | None, path: str, value):
        """`value` at `path` as the reader may see it; an unmasked personal value is audited."""
        classifier = self._classifier()
        unmasked = self.is_unmasked(organization_id)
        shown = classifier.show(path, value, unmasked=unmasked)
        if unmasked and value not in (None, "") and classifier.classify(path) == Sensitivity.PERSONAL:
            self._record(organization_id)
        return shown

    def _record(self, organization_id: int) -> None:
        grant = self.grant_for(organization_id)
        if grant is None or organization_id in self._recorded:
            return  # a customer looking at their own organization is not the company looking
        from .actions import do_record_personal_data_view

        self._recorded.add(organization_id)
        do_record_personal_data_view(grant.organization, actor=self.reader, grant=grant, what=self.what)

    def contact(self, contact) -> dict:
        """A contact's fields as shown: id and organization, name, email and phone maybe masked."""
        org, pk = contact.organization_id, contact.pk
        return {"id": pk, "organization_id": org,
                "name": self.show(org, f"contacts.{pk}.name", contact.name),
                "email": self.show(org, f"contacts.{pk}.email", contact.email),
                "phone": self.show(org, f"contacts.{pk}.phone", contact.phone)}

    def contact_label(self, contact) -> str:
        """How to name a contact in a sentence: the name, else the email, else the mask."""
        if contact is None:
            return ""
        org, pk = contact.organization_id, contact.pk
        for field in ("name", "email"):
            value = getattr(contact, field)
            if value:
                shown = self.show(org, f"contacts.{pk}.{field}", value)
                if shown not in (MASK, "[secret]"):
                    return shown
        return MASK

    def person_label(self, user=None, contact=None) -> str:
        """Who wrote or did something: staff by name; a customer's person like a contact."""
        if user is not None and user.is_staff_member:
            return user.display_name
        if contact is None and user is not None:
            contact = getattr(user, "contact", None)
            if contact is None:
                return self.show(user.organization_id, f"contacts.user{user.pk}.name",
                                 user.display_name) if user.display_name else MASK
        return self.contact_label(contact) if contact is not None else "Tierline"

    def personal(self, value, organization_id: int | None = None) -> str:
        """A free-standing personal value (an address in a timeline event) as shown."""
        return self.show(organization_id or self.organization_id, "contacts.value.email", value)
