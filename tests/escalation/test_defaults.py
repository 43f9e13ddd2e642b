import pytest

from tests.factories import make_component, make_issue, make_org
from tierline.escalation.actions import missing_for_engineering
from tierline.escalation.defaults import install_default_ladder
from tierline.escalation.models import SlaClock, SlaPolicy

pytestmark = pytest.mark.django_db


def test_default_ladder_gives_every_issue_clocks_and_every_component_a_questionnaire():
    component = make_component("Billing")
    install_default_ladder()
    assert SlaPolicy.objects.count() == 12
    issue = make_issue(make_org(plan="enterprise"), severity=1, component=component)
    first = SlaClock.objects.get(issue=issue, kind="first_response")
    assert (first.policy.name, first.target_minutes, first.policy.calendar) == ("Enterprise P0", 15, None)
    assert "questionnaire.product_version" in missing_for_engineering(issue)
