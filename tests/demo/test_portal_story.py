"""The live-debugging story's demo data: the affected customer's people, the portal's agent token
(its secret in the data directory only), and the customer's email taken in as an issue."""

import stat

import pytest
from django.conf import settings

from tests.factories import make_org
from tierline.customers.models import Organization
from tierline.demo.portal_story import ORGANIZATION, PEOPLE, SUBJECT, seed_portal_story
from tierline.intake.models import InboundMessage
from tierline.issues.models import Issue
from tierline.probes.models import AgentToken
from tierline.probes.queries import find_agent_token

pytestmark = pytest.mark.django_db


def test_the_story_starts_with_the_customers_email_and_a_token_for_the_portal():
    org = make_org(name=ORGANIZATION, email_domains=["tyrell.example"])
    seed_portal_story(organization=org)
    issue = Issue.objects.get(title=SUBJECT)
    assert issue.channel == "email" and issue.organization == org
    assert issue.requester.email == PEOPLE[0][0] and "ERR_TOO_MANY_REDIRECTS" in issue.description
    assert InboundMessage.objects.get(issue=issue).status == "processed"  # through the mail intake
    assert set(org.contacts.values_list("email", flat=True)) >= {email for email, _ in PEOPLE}
    path = settings.DEMO_AGENT_TOKEN_FILE
    secret = path.read_text().strip()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = find_agent_token(secret)
    assert token is not None and token.service == "portal"
    assert secret not in str(list(AgentToken.objects.values()))  # only its hash is stored


def test_the_affected_customer_is_found_by_name_when_not_given():
    Organization.objects.create(name=ORGANIZATION, email_domains=["tyrell.example"])
    seed_portal_story()
    assert Issue.objects.filter(title=SUBJECT, organization__name=ORGANIZATION).exists()
