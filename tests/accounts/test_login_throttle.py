import pytest
from django.core.cache import cache

from tests.factories import make_staff
from tierline.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def _log_in(client, email, password):
    return client.post("/login/", {"username": email, "password": password})


def test_too_many_failures_lock_the_account_for_that_address(client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    user = make_staff("support_t1", email="alice@tierline.example")
    for _ in range(3):
        assert _log_in(client, user.email, "guess").status_code == 200
    locked = _log_in(client, user.email, "pw-for-tests-only")
    assert locked.status_code == 200 and "Too many failed attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="login.throttled", target_id=user.email).count() == 1
    # Another address is not locked out by this one's guessing.
    other = client.__class__(REMOTE_ADDR="198.51.100.7")
    assert _log_in(other, user.email, "pw-for-tests-only").status_code == 302


def test_a_success_resets_the_count(client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    user = make_staff("support_t1")
    _log_in(client, user.email, "guess")
    _log_in(client, user.email, "guess")
    assert _log_in(client, user.email, "pw-for-tests-only").status_code == 302
    client.logout()
    _log_in(client, user.email, "guess")
    _log_in(client, user.email, "guess")
    assert _log_in(client, user.email, "pw-for-tests-only").status_code == 302
