"""The back office API: the customer profile, just-in-time unmask, configuration snapshots,
environment facts and sensitivity rules. Personal values are masked unless the caller holds an
active unmask grant for the organization; secrets are never returned."""

from ninja import Body, Router, Status

from tierline.accounts.permissions import has_perm, scope_organizations
from tierline.errors import NotFound, PermissionDenied
from tierline.schemas import ERRORS, RowId

from .actions import (
    do_approve_unmask,
    do_receive_configuration,
    do_record_personal_data_view,
    do_request_unmask,
    do_set_sensitivity_rule,
    do_update_environment,
)
from .configuration import diff, flatten
from .models import ConfigurationSnapshot, Organization, SensitivityRule, UnmaskGrant
from .profile import grant_out, profile_for
from .profile_schemas import (
    ConfigurationDiff,
    EnvironmentIn,
    IssueConfigurationChange,
    ProfileOut,
    SensitivityRuleIn,
    SensitivityRuleOut,
    SnapshotOut,
    SnapshotSummary,
    UnmaskGrantOut,
    UnmaskIn,
)
from .queries import (
    active_unmask_grant,
    change_before_issue,
    configuration_history,
    get_organization_for_user,
    shown_diff,
    snapshot_before,
)
from .sensitivity import Classifier

router = Router(tags=["back office"])


def _profile_organization(user, organization_id: int):
    organization = get_organization_for_user(user, organization_id)
    if not has_perm(user, "organization.view_profile"):
        raise PermissionDenied("Only staff can see the customer profile")
    return organization


@router.get("/organizations/{int:organization_id}/profile", response={200: ProfileOut, **ERRORS})
def get_profile(request, organization_id: int):
    return profile_for(request.auth, _profile_organization(request.auth, organization_id))


@router.post("/organizations/{int:organization_id}/unmask", response={201: UnmaskGrantOut, **ERRORS})
def request_unmask(request, organization_id: int, payload: UnmaskIn):
    from tierline.issues.models import Issue, parse_issue_key

    organization = _profile_organization(request.auth, organization_id)
    number = parse_issue_key(payload.issue)
    issue = Issue.objects.filter(pk=number).first() if number else None
    grant = do_request_unmask(organization, actor=request.auth, issue=issue, reason=payload.reason)
    return Status(201, grant_out(grant))


@router.post("/unmask-grants/{int:grant_id}/approve", response={200: UnmaskGrantOut, **ERRORS})
def approve_unmask(request, grant_id: int):
    """A second person starts someone else's pending unmask; only grants of organizations the
    approver may see exist for them (404 otherwise)."""
    user = request.auth
    if not has_perm(user, "organization.view_profile"):
        raise NotFound("Grant not found")
    visible = scope_organizations(user, Organization.objects.all())
    grant = (UnmaskGrant.objects.select_related("requested_by", "issue", "organization")
             .filter(pk=grant_id, organization__in=visible).first())
    if grant is None:
        raise NotFound("Grant not found")
    return grant_out(do_approve_unmask(grant, actor=user))


@router.put("/organizations/{int:organization_id}/configuration", response={200: SnapshotOut, **ERRORS})
def put_configuration(request, organization_id: int, payload: dict = Body(...)):
    organization = _profile_organization(request.auth, organization_id)
    if not has_perm(request.auth, "configuration.submit"):
        raise PermissionDenied("Only admins (the company's systems) send configurations")
    snapshot, created = do_receive_configuration(organization, payload, actor=request.auth)
    before = snapshot_before(snapshot)
    changes = len(diff(flatten(before.data) if before else {}, flatten(snapshot.data)))
    return {"id": snapshot.pk, "received_at": snapshot.received_at, "created": created,
            "changes": changes if created else 0}


@router.get("/organizations/{int:organization_id}/configuration/history",
            response={200: list[SnapshotSummary], **ERRORS})
def get_configuration_history(request, organization_id: int):
    return configuration_history(_profile_organization(request.auth, organization_id))


def _diff_out(user, organization, before, after) -> dict:
    grant = active_unmask_grant(user, organization)
    changes = shown_diff(before, after, Classifier(), unmasked=grant is not None)
    if grant is not None:
        do_record_personal_data_view(organization, actor=user, grant=grant, what=f"configuration {after.pk}")
    return {"from_id": before.pk if before else None, "to_id": after.pk, "to_received_at": after.received_at,
            "changes": changes}


@router.get("/organizations/{int:organization_id}/configuration/diff", response={200: ConfigurationDiff, **ERRORS})
def get_configuration_diff(request, organization_id: int, from_id: RowId | None = None, to_id: RowId | None = None):
    """What changed between two snapshots; by default the latest against the one before it."""
    organization = _profile_organization(request.auth, organization_id)
    snapshots = ConfigurationSnapshot.objects.filter(organization=organization)
    after = snapshots.filter(pk=to_id).first() if to_id else snapshots.order_by("-received_at", "-id").first()
    if after is None:
        raise NotFound("No such configuration snapshot")
    before = snapshots.filter(pk=from_id).first() if from_id else snapshot_before(after)
    if from_id and before is None:
        raise NotFound("No such configuration snapshot")
    return _diff_out(request.auth, organization, before, after)


@router.get("/issues/{key}/configuration-change", response={200: IssueConfigurationChange, **ERRORS})
def get_issue_configuration_change(request, key: str):
    """The configuration change that came just before the issue was reported, if any."""
    from tierline.issues.queries import get_issue_for_user

    issue = get_issue_for_user(request.auth, key[:40])
    if not has_perm(request.auth, "organization.view_profile"):
        raise PermissionDenied("Only staff can see configurations")
    snapshot = change_before_issue(issue)
    change = None
    if snapshot is not None:
        change = _diff_out(request.auth, issue.organization, snapshot_before(snapshot), snapshot)
    return {"issue": issue.key, "issue_created_at": issue.created_at, "change": change}


@router.put("/organizations/{int:organization_id}/environment", response={200: ProfileOut, **ERRORS})
def put_environment(request, organization_id: int, payload: EnvironmentIn):
    organization = _profile_organization(request.auth, organization_id)
    if not has_perm(request.auth, "environment.submit"):
        raise PermissionDenied("You may not change the environment profile")
    do_update_environment(organization, payload.facts, source=payload.source, actor=request.auth)
    return profile_for(request.auth, organization)


@router.get("/sensitivity-rules", response={200: list[SensitivityRuleOut], **ERRORS})
def list_sensitivity_rules(request):
    if not has_perm(request.auth, "organization.view_profile"):
        raise PermissionDenied("Only staff can see sensitivity rules")
    from .sensitivity import BUILTIN_RULES

    overrides = [{"pattern": r.pattern, "sensitivity": r.sensitivity} for r in SensitivityRule.objects.all()]
    return overrides + [{"pattern": p, "sensitivity": s} for p, s in BUILTIN_RULES]


@router.put("/sensitivity-rules", response={200: SensitivityRuleOut, **ERRORS})
def put_sensitivity_rule(request, payload: SensitivityRuleIn):
    if not has_perm(request.auth, "sensitivity.manage"):
        raise PermissionDenied("Only admins can change sensitivity rules")
    rule = do_set_sensitivity_rule(pattern=payload.pattern, sensitivity=payload.sensitivity, actor=request.auth)
    return {"pattern": rule.pattern, "sensitivity": rule.sensitivity}
