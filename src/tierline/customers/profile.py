"""The customer profile as one reader may see it, shared by the API and the customer page.

Personal values are unmasked only for a reader with an active grant, and then every showing is
recorded in the audit trail (through the action) before the values leave the server.
"""

from tierline.accounts.permissions import has_perm

from .actions import do_record_personal_data_view
from .models import UnmaskGrant
from .queries import active_unmask_grant, build_profile, pending_unmask_grants


def grant_out(grant: UnmaskGrant) -> dict:
    return {"id": grant.pk, "organization_id": grant.organization_id,
            "requested_by": grant.requested_by.display_name, "issue": grant.issue.key, "reason": grant.reason,
            "created_at": grant.created_at, "needs_approval": grant.needs_approval,
            "approved_by": grant.approved_by.display_name if grant.approved_by else None,
            "expires_at": grant.expires_at, "is_active": grant.is_active()}


def profile_for(user, organization) -> dict:
    """The profile as `user` may see it; an unmasked view is recorded in the audit trail."""
    grant = active_unmask_grant(user, organization)
    profile = build_profile(organization, unmasked=grant is not None)
    if grant is not None:
        do_record_personal_data_view(organization, actor=user, grant=grant, what="profile")
    pending = pending_unmask_grants(organization) if has_perm(user, "personal.approve_unmask") else []
    return {**profile, "unmasked": grant is not None, "unmasked_until": grant.expires_at if grant else None,
            "pending_unmask_grants": [grant_out(g) for g in pending]}
