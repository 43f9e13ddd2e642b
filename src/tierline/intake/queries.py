"""Reads for intake, for admins: inbound messages (the quarantine is a filter) and integrations."""

from django.db.models.functions import Length

from tierline.accounts.permissions import has_perm
from tierline.bulk import column_list, read_rows
from tierline.errors import NotFound, PermissionDenied
from tierline.pagination import paginate

from .models import AlertIntegration, InboundMessage

NEWEST_FIRST = (("received_at", True), ("id", True))


def _check(user, permission: str) -> None:
    if not has_perm(user, permission):
        raise PermissionDenied("Only admins can see intake")


def list_inbound_messages(user, *, status: str = "", kind: str = "", cursor: str | None = None, limit: int = 50):
    _check(user, "intake.review")
    rows = InboundMessage.objects.defer("raw").annotate(size=Length("raw")).select_related("issue")
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    return paginate(rows, NEWEST_FIRST, cursor=cursor, limit=limit)


def get_inbound_message(user, message_id: int) -> InboundMessage:
    _check(user, "intake.review")
    if not 1 <= message_id < 2**63:
        raise NotFound("Message not found")
    message = (InboundMessage.objects.defer("raw").annotate(size=Length("raw")).select_related("issue")
               .filter(pk=message_id).first())
    if message is None:
        raise NotFound("Message not found")
    return message


def list_integrations(user) -> list[AlertIntegration]:
    _check(user, "intake.manage")
    return list(AlertIntegration.objects.all())


def find_integration(slug: str) -> AlertIntegration | None:
    # Plain SQL (`bulk.read_rows`), cheap to build: this runs on every alert post (the slug is unique).
    found = read_rows(AlertIntegration, f"SELECT {column_list(AlertIntegration)} FROM intake_alertintegration"
                                        " WHERE slug = %s AND is_active = %s", [slug, True])
    return found[0] if found else None
