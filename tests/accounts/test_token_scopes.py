"""API token scopes: read tokens only read, write tokens never reach admin-only permissions."""

import pytest

from tests.factories import make_org, make_staff
from tierline.accounts.actions import do_create_api_token
from tierline.audit.models import AuditEntry
from tierline.cli import main

pytestmark = pytest.mark.django_db


@pytest.fixture
def scoped(api_as):
    from tests.conftest import ApiClient

    def build(user, scope):
        return ApiClient(do_create_api_token(user, scope=scope)[1])

    return build


def test_read_tokens_cannot_write(scoped):
    api = scoped(make_staff("support_t1"), "read")
    assert api.get("/issues").status_code == 200
    refused = api.post("/issues", {"title": "Broken"})
    assert refused.status_code == 403 and "read" in refused.json()["detail"]


def test_write_tokens_of_admins_cannot_use_admin_permissions(scoped, admin_user):
    org = make_org()
    api = scoped(admin_user, "write")
    assert api.post("/issues", {"title": "Broken"}).status_code == 201
    assert api.get("/audit").status_code == 403
    assert api.post("/organizations", {"name": "Escalated Co"}).status_code == 403
    assert api.put(f"/organizations/{org.pk}/configuration", {"a": 1}).status_code == 403
    admin_api = scoped(admin_user, "admin")
    assert admin_api.get("/audit").status_code == 200


def test_scope_cannot_exceed_the_role(scoped):
    api = scoped(make_staff("support_t1"), "admin")
    assert api.get("/audit").status_code == 403


def test_cli_creates_scoped_tokens_and_the_trail_records_them(capsys):
    user = make_staff("engineer_t4", email="erin@tierline.example")
    assert main(["token", "create", user.email, "--scope", "read"]) == 0
    assert user.api_tokens.get().scope == "read"
    entry = AuditEntry.objects.get(action="token.created")
    assert entry.data["scope"] == "read" and entry.user_agent.startswith("tierline token (command line, ")
