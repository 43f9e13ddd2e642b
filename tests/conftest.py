import os

import pytest
from django.test import Client

from tests.factories import make_org, make_staff, make_token
from tests.openapi import assert_matches_openapi


def require_service(env_name: str, what: str) -> str:
    """The URL of a server the suite started, or skip (fail in CI) when there is none."""
    url = os.environ.get(env_name)
    if not url:
        if os.environ.get("TIERLINE_REQUIRE_SERVICES"):
            pytest.fail(f"{what} is required here but {env_name} is not set")
        pytest.skip(f"{what} not available ({env_name} unset)")
    return url


class ApiClient:
    """A test client that authenticates with a bearer token and checks every answer
    against the OpenAPI document."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, data=None, **params):
        kwargs = {"headers": self.headers}
        if data is not None:
            kwargs.update(data=data, content_type="application/json")
        elif params:
            kwargs["data"] = params
        response = getattr(self.client, method)(f"/api/v1{path}", **kwargs)
        if response.status_code != 401:
            assert_matches_openapi(response)
        return response

    def get(self, path, **params):
        return self._call("get", path, **params)

    def post(self, path, data):
        return self._call("post", path, data)

    def patch(self, path, data):
        return self._call("patch", path, data)

    def put(self, path, data):
        return self._call("put", path, data)

    def delete(self, path, data=None):
        return self._call("delete", path, data)


@pytest.fixture
def api_as():
    def build(user) -> ApiClient:
        return ApiClient(make_token(user) if user else None)

    return build


@pytest.fixture
def org(db):
    return make_org(name="Acme Robotics", email_domains=["acme.example"], importance="strategic")


@pytest.fixture
def other_org(db):
    return make_org(name="Globex Health", email_domains=["globex.example"])


@pytest.fixture
def agent(db):
    return make_staff(role="support_t1", name="Alice Agent")


@pytest.fixture
def admin_user(db):
    return make_staff(role="admin", name="Ada Admin")
