import pytest
from django.core.cache import cache

from tests.factories import make_contact, make_issue, make_org, make_staff
from tierline.escalation.problems import do_create_problem, do_link_issue_to_problem
from tierline.notify.webhooks import CACHE_KEY, remember_subscriptions


@pytest.fixture(autouse=True)
def no_stale_subscriptions():
    """Each test's endpoints roll back with it; so must the cached list of what they subscribe to
    (an empty list, which is what the database holds again afterwards)."""
    cache.delete(CACHE_KEY)
    yield
    remember_subscriptions([])


@pytest.fixture(autouse=True)
def webhooks_to_this_machine(settings):
    """The receiver of these tests listens on 127.0.0.1, a private address that the real settings refuse
    (tests/notify/test_webhook_destinations.py shows that)."""
    settings.WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def engineer(db):
    return make_staff("engineer_t4", name="Erin Engineer")


@pytest.fixture
def problem_with_issues(db, engineer):
    """A problem linked to three customers' issues (two organizations), each with a requester."""

    def build(count: int = 3):
        problem = do_create_problem(actor=engineer, title="Cache stampede on login")
        issues = []
        for n in range(count):
            org = make_org()
            issue = make_issue(org, requester=make_contact(org), title=f"Login slow {n}")
            do_link_issue_to_problem(problem, issue, actor=engineer)
            issues.append(issue)
        return problem, issues

    return build


@pytest.fixture
def receiver():
    from tests.notify.helpers import start_receiver

    found, server = start_receiver()
    yield found
    server.shutdown()
    server.server_close()
