"""Two web processes sharing PostgreSQL and Redis: a probe created through one wakes an agent's
long poll held on the other by Redis pub/sub. Runs in the suite's PostgreSQL and Redis pass."""

import pytest

from tests.conversations.test_two_processes import two_servers  # noqa: F401 - a fixture
from tests.factories import make_issue, make_org, make_staff, make_token
from tests.probes.helpers import make_agent_token
from tests.probes.test_live import created_reaches_the_held_poll

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_probe_set_change_crosses_processes_by_pub_sub(two_servers):  # noqa: F811
    one, two = (f"http://{address}" for address in two_servers)
    token = make_token(make_staff("engineer_t4"))
    issue = make_issue(make_org(name="Acme Robotics"))
    created_reaches_the_held_poll(one, two, token, make_agent_token("portal")[1], issue.key)
