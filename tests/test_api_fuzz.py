"""Property-based requests against every documented operation: whatever the input, the API
answers with a documented status and a body that fits the OpenAPI document, never a 500."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.factories import make_contact, make_issue, make_org, make_staff, make_token
from tierline.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Calling the WSGI app directly (as schemathesis does, unlike Django's test client) fires
    # request_finished, whose close_old_connections closes the test's PostgreSQL connection
    # mid-transaction; SQLite's in-memory test database never closes, which hid this.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(db):
    org = make_org(name="Acme", email_domains=["acme.example"])
    make_issue(org, requester=make_contact(org))
    return make_token(make_staff("admin"))


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_breaks(case, admin_token):
    # Schema-valid values may still be refused on purpose (a cursor not made by this list, an id
    # that names nothing), so a 4xx for "valid" data is not a failure; a 5xx or an undocumented
    # answer is.
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"},
                           excluded_checks=[positive_data_acceptance])
