"""/issues and /issues/{key}/comments."""

import base64
import binascii
from typing import Literal

from django.urls import reverse
from ninja import Query, Router, Status

from tierline.accounts.models import Team, User
from tierline.accounts.permissions import has_perm, is_staff_member
from tierline.accounts.schemas import user_ref
from tierline.customers.actions import do_ensure_contact_for_user
from tierline.customers.masking import PersonalData
from tierline.customers.models import Contact, Organization
from tierline.errors import InvalidInput, PermissionDenied
from tierline.schemas import ERRORS, referenced_row

from .actions import Upload, do_add_comment, do_create_issue, do_update_issue
from .models import Channel, Component, Issue, parse_issue_key
from .queries import (
    DEFAULT_SORT,
    MAX_PAGE_SIZE,
    SORTS,
    IssueFilters,
    get_issue_for_user,
    list_comments,
    list_issues,
)
from .schemas import CommentIn, CommentOut, IssueIn, IssueList, IssueOut, IssuePatch, UploadIn

router = Router(tags=["issues"])


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": getattr(obj, "display_name", None) or str(obj)} if obj else None


def issue_out(issue, privacy: PersonalData | None = None) -> dict:
    """`privacy`: the reader's view of personal data; without one the requester is masked."""
    privacy = privacy or PersonalData(None, what="issue")
    return {
        "key": issue.key, "title": issue.title, "description": issue.description,
        "channel": issue.channel, "status": issue.status, "severity": issue.severity,
        "priority": issue.priority, "priority_explanation": issue.priority_explanation,
        "labels": issue.labels, "affected_users": issue.affected_users, "tier": issue.tier,
        "organization": _ref(issue.organization),
        "requester": {"id": issue.requester.pk, "name": privacy.contact_label(issue.requester)}
        if issue.requester else None,
        "assignee": user_ref(issue.assignee), "team": _ref(issue.team), "component": _ref(issue.component),
        "created_at": issue.created_at, "updated_at": issue.updated_at,
        "first_response_at": issue.first_response_at, "resolved_at": issue.resolved_at,
        "url": f"/api/v1/issues/{issue.key}",
    }


def comment_out(comment, privacy: PersonalData | None = None, attachments=None) -> dict:
    """`attachments`: the comment's, when the caller knows them (no query)."""
    privacy = privacy or PersonalData(None, what="comments")
    return {
        "id": comment.pk, "body": comment.body, "is_public": comment.is_public,
        "author": privacy.person_label(comment.author, comment.author_contact)
        if comment.author_id or comment.author_contact_id else "Tierline",
        "author_kind": "customer" if comment.author_contact_id and not comment.author_id else "staff",
        "channel": comment.channel, "created_at": comment.created_at,
        "attachments": [
            {"id": a.pk, "filename": a.filename, "content_type": a.content_type, "size": a.size,
             "url": reverse("attachment", args=[a.pk])}
            for a in (comment.attachments.all() if attachments is None else attachments)
        ],
    }


def _uploads(items: list[UploadIn]) -> list[Upload]:
    uploads = []
    for i, item in enumerate(items):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput("Attachment is not valid base64", {f"attachments.{i}": "invalid base64"}) from None
        uploads.append(Upload(filename=item.filename, content_type=item.content_type, content=content))
    return uploads



def _split(values: list[str] | None) -> list[str]:
    return [v for raw in values or [] for v in raw.split(",") if v]


def _ints(field: str, values: list[str] | None) -> list[int]:
    numbers = _split(values)
    if not all(v.isdigit() and len(v) < 19 for v in numbers):
        raise InvalidInput("Invalid filter", {field: "whole numbers"})
    return [int(v) for v in numbers]


@router.get("/issues", response={200: IssueList, **ERRORS})
def get_issues(
    request,
    status: list[str] = Query(None), priority: list[str] = Query(None), tier: list[str] = Query(None),
    team: list[str] = Query(None), organization: list[str] = Query(None), assignee: list[str] = Query(None),
    channel: list[str] = Query(None), q: str = Query("", max_length=200),
    sort: Literal[tuple(SORTS)] = DEFAULT_SORT,  # type: ignore[valid-type]
    cursor: str | None = None, limit: int = Query(25, ge=1, le=MAX_PAGE_SIZE),
):
    """Filters take repeated parameters or comma-separated values; `assignee=none` means unassigned
    and `assignee=me` the caller."""
    assignees = _split(assignee)
    filters = IssueFilters(
        status=_split(status), priority=_ints("priority", priority), tier=_ints("tier", tier),
        team=_ints("team", team), organization=_ints("organization", organization),
        assignee=_ints("assignee", [a for a in assignees if a not in ("none", "me")]),
        unassigned="none" in assignees, channel=_split(channel), q=q,
    )
    if "me" in assignees:
        filters.assignee.append(request.auth.pk)
    page = list_issues(request.auth, filters, sort=sort, cursor=cursor, limit=limit)
    privacy = PersonalData(request.auth, what="issues list")
    return {"items": [issue_out(i, privacy) for i in page.items], "next_cursor": page.next_cursor}


@router.post("/issues", response={201: IssueOut, **ERRORS})
def create_issue(request, payload: IssueIn):
    user = request.auth
    if user.is_customer:
        # A customer files for their own organization, as themselves; triage fields are staff's.
        if payload.organization_id not in (None, user.organization_id):
            raise InvalidInput("Unknown organization", {"organization_id": "does not exist"})
        staff_only = {"requester_id", "component_id", "team_id", "assignee_id", "priority", "tier", "labels"}
        sent = payload.model_dump(exclude_unset=True).keys() & staff_only
        if sent:
            raise PermissionDenied("Customers cannot set triage fields", {f: "staff only" for f in sent})
        organization, requester = user.organization, do_ensure_contact_for_user(user)
    else:
        organization = referenced_row(Organization, payload.organization_id, "organization_id")
        requester = referenced_row(Contact, payload.requester_id, "requester_id")
    if payload.channel not in Channel.values:
        raise InvalidInput("Invalid channel", {"channel": f"one of {', '.join(Channel.values)}"})
    issue = do_create_issue(
        actor=user, title=payload.title, description=payload.description, channel=payload.channel,
        severity=payload.severity, priority=payload.priority, tier=payload.tier,
        organization=organization, requester=requester,
        component=referenced_row(Component, payload.component_id, "component_id"),
        team=referenced_row(Team, payload.team_id, "team_id"),
        assignee=referenced_row(User, payload.assignee_id, "assignee_id", is_active=True),
        attachments=_uploads(payload.attachments), labels=payload.labels, affected_users=payload.affected_users,
    )
    privacy = PersonalData(user, what=f"issue {issue.key}")
    return Status(201, issue_out(get_issue_for_user(user, issue.key), privacy))


@router.get("/issues/{key}", response={200: IssueOut, **ERRORS})
def get_issue(request, key: str):
    issue = get_issue_for_user(request.auth, key)
    return issue_out(issue, PersonalData(request.auth, what=f"issue {issue.key}"))


@router.patch("/issues/{key}", response={200: IssueOut, **ERRORS})
def update_issue(request, key: str, payload: IssuePatch):
    issue = get_issue_for_user(request.auth, key)
    if not has_perm(request.auth, "issue.triage"):
        raise PermissionDenied("Only staff can change issues")
    changes = payload.model_dump(exclude_unset=True)
    for field, model, name in (("assignee_id", User, "assignee"), ("team_id", Team, "team"),
                               ("component_id", Component, "component")):
        if field in changes:
            changes[name] = referenced_row(model, changes.pop(field), field)
    for field in ("title", "status", "severity", "tier"):
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field} cannot be empty", {field: "required"})
    do_update_issue(issue, actor=request.auth, **changes)
    return issue_out(get_issue_for_user(request.auth, key), PersonalData(request.auth, what=f"issue {issue.key}"))


@router.get("/issues/{key}/comments", response={200: list[CommentOut], **ERRORS})
def get_comments(request, key: str):
    issue = get_issue_for_user(request.auth, key)
    privacy = PersonalData(request.auth, what=f"issue {issue.key} comments")
    return [comment_out(c, privacy) for c in list_comments(request.auth, issue)]


@router.post("/issues/{key}/comments", response={201: CommentOut, **ERRORS})
def create_comment(request, key: str, payload: CommentIn):
    user = request.auth
    number = parse_issue_key(key)
    if number and has_perm(user, "issue.view_all"):
        # Nothing to check on the row first: do_add_comment reads it under its lock (404 when missing).
        issue = Issue(pk=number)
    else:
        issue = get_issue_for_user(user, key, related=False)  # do_add_comment reads it again under lock
    if not payload.is_public and not is_staff_member(user):
        raise PermissionDenied("Customers cannot write internal notes", {"is_public": "must be true"})
    comment = do_add_comment(
        issue, body=payload.body, is_public=payload.is_public, author=user,
        author_contact=do_ensure_contact_for_user(user) if user.is_customer else None,
        channel=Channel.API, attachments=_uploads(payload.attachments),
    )
    # A reply without uploads has no attachments to read back.
    return Status(201, comment_out(comment, PersonalData(user, what=f"issue {issue.key} comments"),
                                   attachments=None if payload.attachments else ()))
