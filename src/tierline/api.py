"""The REST API at /api/v1: authentication, error shapes, and the routers of every app.

Errors are always JSON: {"detail": "...", "fields": {"name": "what is wrong"}}.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from tierline.accounts.actions import do_record_token_use
from tierline.accounts.models import TokenScope
from tierline.accounts.queries import find_user_by_token
from tierline.errors import ActionError, PermissionDenied


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = find_user_by_token(token)
        if found is None:
            return None
        user, api_token = found
        if api_token.scope == TokenScope.READ and request.method not in ("GET", "HEAD", "OPTIONS"):
            raise PermissionDenied("This token may only read (scope: read)")
        do_record_token_use(api_token)
        user.token_scope = api_token.scope  # has_perm refuses admin permissions below admin scope
        request.user = user
        return user


class ActiveSession(SessionAuth):
    def authenticate(self, request: HttpRequest, key):
        user = request.user
        return user if user.is_authenticated and user.is_active else None


api = NinjaAPI(
    title="Tierline API",
    version="1",
    description="Issues, customers and teams. Authenticate with `Authorization: Bearer <token>`.",
    auth=[BearerToken(), ActiveSession()],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def _field_name(loc) -> str:
    # pydantic locations look like ("body", "payload", "title"); the last name is the field.
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form", "filters")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _invalid_input(request, exc: ValidationError):
    fields = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), error.get("msg", "invalid"))
    return api.create_response(request, {"detail": "Invalid input", "fields": fields}, status=422)


@api.exception_handler(ActionError)
def _action_error(request, exc: ActionError):
    return api.create_response(request, {"detail": exc.detail, "fields": exc.fields}, status=exc.status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": "Authentication required: send a valid bearer token", "fields": {}}, status=401
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc), "fields": {}}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    return api.create_response(request, {"detail": "Request body too large", "fields": {}}, status=413)


def _register_routers() -> None:
    from tierline.accounts.api import router as accounts_router
    from tierline.audit.api import router as audit_router
    from tierline.availability.api import router as availability_router
    from tierline.calls.api import router as calls_router
    from tierline.conversations.api import router as conversations_router
    from tierline.customers.api import router as customers_router
    from tierline.customers.profile_api import router as back_office_router
    from tierline.escalation.api import router as escalation_router
    from tierline.feedback.api import router as feedback_router
    from tierline.insights.api import router as insights_router
    from tierline.intake.api import router as intake_router
    from tierline.issues.api import router as issues_router
    from tierline.knowledge.api import router as knowledge_router
    from tierline.metrics.api import router as metrics_router
    from tierline.notify.api import router as notify_router
    from tierline.planning.api import router as planning_router
    from tierline.probes.api import router as probes_router
    from tierline.triage.api import router as triage_router

    api.add_router("/", accounts_router)
    api.add_router("/", audit_router)
    api.add_router("/", calls_router)
    api.add_router("/", conversations_router)
    api.add_router("/", customers_router)
    api.add_router("/", back_office_router)
    api.add_router("/", issues_router)
    api.add_router("/", escalation_router)
    api.add_router("/", intake_router)
    api.add_router("/", metrics_router)
    api.add_router("/", triage_router)
    api.add_router("/", availability_router)
    api.add_router("/", feedback_router)
    api.add_router("/", insights_router)
    api.add_router("/", knowledge_router)
    api.add_router("/", notify_router)
    api.add_router("/", planning_router)
    api.add_router("/", probes_router)


_register_routers()
