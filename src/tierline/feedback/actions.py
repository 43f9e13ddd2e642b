"""Every write of feature requests: creating and editing a request, marking an issue as asking
for one, merging two requests for the same thing, telling the customers once it shipped, and
recording an export of who asked.

Marking and merging land on the issues' timelines (`feature_request`, `request_merged`) in the
same transaction as the links. Telling replies through `tierline.issues.actions.do_add_comment`
(which emails the requester) at most once per issue: the link is locked and stamped with its reply
in the reply's own transaction, so a retried or concurrent "Tell" skips the issues already told.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tierline.accounts.models import User
from tierline.audit.actions import AuditAction, do_record_audit
from tierline.errors import InvalidInput
from tierline.issues.actions import do_add_comment, do_update_issue
from tierline.issues.models import Component, EventKind, Issue, IssueEvent
from tierline.text import text_problems, title_problems

from .models import FeatureRequest, RequestLink, RequestStatus

MAX_TITLE = 300
MAX_TEXT = 100_000
EDITABLE = frozenset({"title", "description", "component", "status"})


def _clean_text(fields: dict) -> dict:
    problems = {**text_problems(fields, {"description": MAX_TEXT, "reason": MAX_TEXT, "body": MAX_TEXT}),
                **title_problems(fields, MAX_TITLE)}
    if "status" in fields and fields["status"] not in RequestStatus.values:
        problems["status"] = f"one of {', '.join(RequestStatus.values)}"
    if problems:
        raise InvalidInput("Invalid feature request", problems)
    return fields


def request_ref(request: FeatureRequest) -> dict:
    """How the timeline names a request (kept with the event: the timeline is append-only)."""
    return {"id": request.pk, "key": request.key, "title": request.title}


def do_create_feature_request(*, actor: User | None, title: str, description: str = "",
                              component: Component | None = None, status: str = RequestStatus.OPEN,
                              at: datetime | None = None) -> FeatureRequest:
    fields = _clean_text({"title": title, "description": description or "", "status": status})
    now = at or timezone.now()
    return FeatureRequest.objects.create(**fields, component=component, created_by=actor, created_at=now,
                                         updated_at=now, shipped_at=now if status == RequestStatus.SHIPPED else None)


def _refuse_merged(request: FeatureRequest) -> None:
    if request.merged_into_id is not None:
        raise InvalidInput(f"{request.key} was merged into FR-{request.merged_into_id}; work on that one",
                           {"request": f"merged into FR-{request.merged_into_id}"})


def do_update_feature_request(request: FeatureRequest, *, actor: User | None, at: datetime | None = None,
                              **changes) -> FeatureRequest:
    """Change the title, description, component or status. Marking it shipped stamps when."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise InvalidInput("Unknown fields", {f: "cannot be changed" for f in sorted(unknown)})
    _clean_text(changes)
    now = at or timezone.now()
    with transaction.atomic():
        request = FeatureRequest.objects.select_for_update().get(pk=request.pk)
        _refuse_merged(request)
        changed = [name for name, value in changes.items() if getattr(request, name) != value]
        for name in changed:
            setattr(request, name, changes[name])
        if request.status == RequestStatus.SHIPPED and request.shipped_at is None:
            request.shipped_at = now
            changed.append("shipped_at")
        if changed:
            request.updated_at = now
            request.save(update_fields=[*changed, "updated_at"])
    return request


def do_mark_feature_request(issue: Issue, *, actor: User | None, request: FeatureRequest | None = None,
                            title: str = "", description: str = "", component: Component | None = None,
                            at: datetime | None = None) -> RequestLink:
    """The issue asks for `request`, or for a new one named `title` (the issue's own title and
    description by default). An issue asks for one feature: marking it again moves it. A request
    merged away stands for the one it was merged into."""
    now = at or timezone.now()
    with transaction.atomic():
        issue = Issue.objects.select_for_update().only("id", "title", "description", "component_id").get(pk=issue.pk)
        if request is None:
            request = do_create_feature_request(
                actor=actor, title=title or issue.title, description=description or issue.description,
                component=component if component is not None else issue.component, at=now)
        else:
            request = FeatureRequest.objects.get(pk=request.pk)
            while request.merged_into_id is not None:
                request = request.merged_into
        link = RequestLink.objects.filter(issue=issue).select_related("request").first()
        if link is not None and link.request_id == request.pk:
            raise InvalidInput(f"{issue.key} already asks for {request.key}", {"request": "already linked"})
        previous = request_ref(link.request) if link is not None else None
        if link is None:
            link = RequestLink.objects.create(request=request, issue=issue, linked_by=actor, linked_at=now)
        else:
            link.request, link.linked_by, link.linked_at = request, actor, now
            link.save(update_fields=["request", "linked_by", "linked_at"])
        IssueEvent.objects.create(issue=issue, kind=EventKind.FEATURE_REQUEST, actor=actor, created_at=now,
                                  data={"request": request_ref(request), "from": previous})
        FeatureRequest.objects.filter(pk=request.pk).update(updated_at=now)
    return link


def do_merge_feature_requests(source: FeatureRequest, *, into: FeatureRequest, actor: User | None, reason: str,
                              at: datetime | None = None) -> FeatureRequest:
    """Merge `source` into `into` like a duplicate: its issues (and requests merged into it
    before) move to `into`, it records who merged it and why, and stays as merged, never deleted."""
    reason = (reason or "").strip()
    if not reason or "\x00" in reason:
        raise InvalidInput("Say why these are the same request", {"reason": "required"})
    if source.pk == into.pk:
        raise InvalidInput("A request cannot be merged into itself", {"into": "another request"})
    now = at or timezone.now()
    with transaction.atomic():
        locked = {r.pk: r for r in FeatureRequest.objects.select_for_update().filter(pk__in=[source.pk, into.pk])}
        source, into = locked[source.pk], locked[into.pk]
        _refuse_merged(source)
        if into.merged_into_id is not None:
            raise InvalidInput(f"{into.key} was itself merged into FR-{into.merged_into_id}; merge into that one",
                               {"into": f"merged into FR-{into.merged_into_id}"})
        moved = list(RequestLink.objects.filter(request=source).values_list("issue_id", flat=True))
        RequestLink.objects.filter(request=source).update(request=into)
        FeatureRequest.objects.filter(merged_into=source).update(merged_into=into)  # no chains to follow
        source.merged_into, source.merged_by, source.merged_at, source.merge_reason = into, actor, now, reason
        source.updated_at = into.updated_at = now
        source.save(update_fields=["merged_into", "merged_by", "merged_at", "merge_reason", "updated_at"])
        into.save(update_fields=["updated_at"])
        IssueEvent.objects.bulk_create([
            IssueEvent(issue_id=issue_id, kind=EventKind.REQUEST_MERGED, actor=actor, created_at=now,
                       data={"from": request_ref(source), "into": request_ref(into), "reason": reason})
            for issue_id in moved
        ])
    return source


def shipped_reply(request: FeatureRequest) -> str:
    return (f"Good news: what you asked for has shipped - {request.title}.\n\n"
            "Thank you for telling us you needed it. If it does not work the way you hoped, reply here.")


def do_tell_requesters(request: FeatureRequest, *, actor: User, body: str = "",
                       resolve: bool | None = None) -> int:
    """Reply publicly on every issue of a shipped request not told yet, once per issue, and resolve
    them unless `resolve` (default TIERLINE_FEATURE_REQUEST_RESOLVE_ON_TELL) is off. Returns how
    many issues were told now."""
    request = FeatureRequest.objects.get(pk=request.pk)
    _refuse_merged(request)
    if request.status != RequestStatus.SHIPPED:
        raise InvalidInput(f"{request.key} has not shipped yet", {"status": "must be shipped"})
    body = (body or "").strip() or shipped_reply(request)
    _clean_text({"body": body})
    resolve = settings.FEATURE_REQUEST_RESOLVE_ON_TELL if resolve is None else resolve
    told = 0
    for link_id in request.links.filter(notified_at__isnull=True).values_list("pk", flat=True):
        with transaction.atomic():
            link = (RequestLink.objects.select_for_update().select_related("issue")
                    .filter(pk=link_id, request=request, notified_at__isnull=True).first())
            if link is None:  # told meanwhile, or moved to another request
                continue
            comment = do_add_comment(link.issue, body=body, is_public=True, author=actor)
            link.notified_at, link.notified_comment = comment.created_at, comment
            link.save(update_fields=["notified_at", "notified_comment"])
            if resolve and not link.issue.is_done:
                do_update_issue(link.issue, actor=actor, status="resolved")
            told += 1
    return told


def do_record_feature_request_export(*, actor: User, rows: int, sort: str, what: str = "csv") -> None:
    """An export of who asked for what and their revenue is customer data leaving the desk."""
    do_record_audit(action=AuditAction.FEATURE_REQUESTS_EXPORTED, actor=actor,
                    data={"rows": rows, "sort": sort, "format": what})
