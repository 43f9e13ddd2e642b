"""/insights: every analytics table as JSON, for staff, with the pages' filters
(`since`, `until` as YYYY-MM-DD; `organization_id`, `team_id`, `component_id`)."""

from ninja import Router

from tierline.accounts.permissions import has_perm
from tierline.errors import NotFound, PermissionDenied
from tierline.schemas import ERRORS

from .queries import parse_filters
from .schemas import InsightOut, InsightSummaryOut
from .tables import TABLES, table_rows

router = Router(tags=["insights"])


def check_insights_permission(user) -> None:
    if not has_perm(user, "insights.view"):
        raise PermissionDenied("Only staff can see the analytics")


@router.get("/insights", response={200: list[InsightSummaryOut], **ERRORS})
def list_insights(request):
    check_insights_permission(request.auth)
    return [{"name": t.name, "title": t.title, "url": f"/api/v1/insights/{t.name}"} for t in TABLES.values()]


@router.get("/insights/{metric}", response={200: InsightOut, **ERRORS})
def get_insight(request, metric: str, since: str = "", until: str = "", organization_id: str = "",
                team_id: str = "", component_id: str = ""):
    """One table (`GET /insights` names them), over the issues created in the period."""
    check_insights_permission(request.auth)
    table = TABLES.get(metric)
    if table is None:
        raise NotFound(f"No analytics table {metric!r}")
    filters = parse_filters({"since": since, "until": until, "organization_id": organization_id,
                             "team_id": team_id, "component_id": component_id})
    return {"name": table.name, "title": table.title, "filters": filters.as_params(),
            "columns": [{"key": k, "heading": h} for k, h in table.columns], "rows": table_rows(table.name, filters)}
