"""/api/v1/feature-requests (the ranked list, create, read, edit, merge, tell the customers) and
/api/v1/issues/{key}/feature-request. Staff hold `feature_request.manage`; a customer may read
which request their own issue asks for, never who else asked."""

from ninja import Query, Router, Status

from tierline.accounts.permissions import has_perm
from tierline.accounts.schemas import user_ref
from tierline.customers.masking import PersonalData
from tierline.errors import InvalidInput, PermissionDenied
from tierline.issues.models import Component
from tierline.issues.queries import get_issue_for_user
from tierline.schemas import ERRORS, referenced_row

from .actions import (
    do_create_feature_request,
    do_mark_feature_request,
    do_merge_feature_requests,
    do_tell_requesters,
    do_update_feature_request,
)
from .models import FeatureRequest, RequestStatus
from .queries import (
    SORTS,
    RankedRequest,
    askers,
    get_feature_request,
    links_to_tell,
    rank_one,
    rank_requests,
    request_of_issue,
)
from .schemas import (
    FeatureRequestDetail,
    FeatureRequestIn,
    FeatureRequestList,
    FeatureRequestOut,
    FeatureRequestPatch,
    IssueRequestIn,
    IssueRequestOut,
    MergeIn,
    TellIn,
    TellOut,
)

router = Router(tags=["feedback"])


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def summary_out(request: FeatureRequest) -> dict:
    return {"id": request.pk, "key": request.key, "title": request.title, "status": request.status,
            "url": f"/api/v1/feature-requests/{request.pk}"}


def request_out(row: RankedRequest) -> dict:
    request = row.request
    return {
        **summary_out(request), "description": request.description, "component": _ref(request.component),
        "created_at": request.created_at, "updated_at": request.updated_at, "shipped_at": request.shipped_at,
        "merged_into": summary_out(request.merged_into) if request.merged_into_id else None,
        "merged_by": user_ref(request.merged_by), "merged_at": request.merged_at,
        "merge_reason": request.merge_reason, "customers": row.customers, "issues": row.issues,
        "arr": row.arr, "open_deals": row.open_deals, "last_asked_at": row.last_asked_at,
    }


def detail_out(request: FeatureRequest, reader) -> dict:
    privacy = PersonalData(reader, what=f"feature request {request.key}")
    groups = askers(request)
    return {
        **request_out(rank_one(request)), "to_tell": links_to_tell(request).count(),
        "askers": [{
            "organization": _ref(group.organization),
            "annual_revenue": group.organization.annual_revenue if group.organization else 0,
            "open_deal_value": group.organization.open_deal_value if group.organization else 0,
            "issues": [{"key": link.issue.key, "title": link.issue.title, "status": link.issue.status,
                        "requester": privacy.contact_label(link.issue.requester), "told_at": link.notified_at}
                       for link in group.links],
        } for group in groups],
    }


def _may_manage(user) -> None:
    if not has_perm(user, "feature_request.manage"):
        raise PermissionDenied("Only staff work on feature requests")


def _request(user, request_id: int) -> FeatureRequest:
    _may_manage(user)
    return get_feature_request(request_id)


@router.get("/feature-requests", response={200: FeatureRequestList, **ERRORS})
def list_feature_requests(request, sort: str = "arr", status: list[str] = Query(None), limit: int = 100):
    """Requests not merged away, ranked by `sort`: `arr` (combined ARR of the distinct customers
    asking), `customers` (how many) or `recent` (latest issue asking)."""
    _may_manage(request.auth)
    sort = sort if sort in SORTS else "arr"
    unknown = [s for s in status or () if s not in RequestStatus.values]
    if unknown:
        raise InvalidInput("Invalid filters", {"status": f"one of {', '.join(RequestStatus.values)}"})
    rows = rank_requests(sort=sort, statuses=status or (), limit=max(1, min(limit, 500)))
    return {"items": [request_out(row) for row in rows]}


@router.post("/feature-requests", response={201: FeatureRequestOut, **ERRORS})
def create_feature_request(request, payload: FeatureRequestIn):
    _may_manage(request.auth)
    created = do_create_feature_request(
        actor=request.auth, title=payload.title, description=payload.description, status=payload.status,
        component=referenced_row(Component, payload.component_id, "component_id"))
    return Status(201, request_out(RankedRequest(get_feature_request(created.pk))))


@router.get("/feature-requests/{request_id}", response={200: FeatureRequestDetail, **ERRORS})
def get_feature_request_detail(request, request_id: int):
    """A request with who asked (organizations, requesters masked by the back-office rules) and
    their revenue. A merged request answers with `merged_into`."""
    return detail_out(_request(request.auth, request_id), request.auth)


@router.patch("/feature-requests/{request_id}", response={200: FeatureRequestDetail, **ERRORS})
def update_feature_request(request, request_id: int, payload: FeatureRequestPatch):
    found = _request(request.auth, request_id)
    changes = payload.model_dump(exclude_unset=True)
    if "component_id" in changes:
        changes["component"] = referenced_row(Component, changes.pop("component_id"), "component_id")
    changes = {k: v for k, v in changes.items() if v is not None or k == "component"}
    do_update_feature_request(found, actor=request.auth, **changes)
    return detail_out(get_feature_request(found.pk), request.auth)


@router.post("/feature-requests/{request_id}/merge", response={200: FeatureRequestDetail, **ERRORS})
def merge_feature_request(request, request_id: int, payload: MergeIn):
    """Merge this request into `into_id`: its issues move there; it stays, answering as merged."""
    source = _request(request.auth, request_id)
    into = referenced_row(FeatureRequest, payload.into_id, "into_id")
    do_merge_feature_requests(source, into=into, actor=request.auth, reason=payload.reason)
    return detail_out(get_feature_request(source.pk), request.auth)


@router.post("/feature-requests/{request_id}/notify", response={200: TellOut, **ERRORS})
def notify_feature_request(request, request_id: int, payload: TellIn):
    """Tell the customers of a shipped request: a public reply on each issue not told yet (each
    emailed to its requester), exactly once per issue; resolves them unless `resolve` is false."""
    found = _request(request.auth, request_id)
    told = do_tell_requesters(found, actor=request.auth, body=payload.body, resolve=payload.resolve)
    return {"told": told, "request": detail_out(get_feature_request(found.pk), request.auth)}


def _issue_request(issue) -> dict:
    found = request_of_issue(issue)
    return {"issue": issue.key, "request": summary_out(found) if found else None}


@router.get("/issues/{key}/feature-request", response={200: IssueRequestOut, **ERRORS})
def get_issue_feature_request(request, key: str):
    """Which feature request the issue asks for (null for none)."""
    return _issue_request(get_issue_for_user(request.auth, key))


@router.post("/issues/{key}/feature-request", response={200: IssueRequestOut, **ERRORS})
def mark_issue_feature_request(request, key: str, payload: IssueRequestIn):
    """Mark the issue as asking for an existing request (`request_id`) or a new one."""
    issue = get_issue_for_user(request.auth, key)
    _may_manage(request.auth)
    existing = referenced_row(FeatureRequest, payload.request_id, "request_id")
    do_mark_feature_request(issue, actor=request.auth, request=existing, title=payload.title,
                            description=payload.description)
    return _issue_request(issue)

