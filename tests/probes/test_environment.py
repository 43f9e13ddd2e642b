"""An agent's runtime report becomes its customer's known environment: the questionnaire of that
customer's issues is pre-filled and the back office's environment profile shows it."""

import pytest

from tests.factories import make_component, make_issue, make_org, make_staff
from tests.probes.helpers import AgentClient, make_agent_token
from tierline.escalation.actions import do_set_questionnaire
from tierline.escalation.defaults import QUESTIONNAIRE
from tierline.probes.models import AgentInstance
from tierline.probes.scope import environment_facts, organization_for_tags

pytestmark = pytest.mark.django_db
TAGS = {"customer": "acme-robotics", "deployment": "kubernetes", "cloud": "AWS eu-central-1", "version": "4.2.0"}


@pytest.fixture
def acme():
    return make_org(name="Acme Robotics", email_domains=["acme.example"])


def test_a_tag_names_the_organization_by_slug_name_or_email_domain(acme):
    assert organization_for_tags({"customer": "acme-robotics"}) == acme
    assert organization_for_tags({"organization": "ACME robotics"}) == acme
    assert organization_for_tags({"customer": "acme.example"}) == acme
    assert organization_for_tags({"customer": "globex"}) is None and organization_for_tags({}) is None


def test_facts_are_named_like_the_questionnaires_questions():
    facts = environment_facts({"python": "3.11.7", "implementation": "cpython", "os": "Linux-6.1", "tags": TAGS,
                               "agent_version": "0.1.0", "packages": {"Django": "5.0.6"}})
    assert facts["runtime"] == "CPython 3.11.7" and facts["os"] == "Linux-6.1"
    assert facts["deployment"] == "Kubernetes"  # the questionnaire's own choice, not the tag's spelling
    assert (facts["cloud"], facts["product_version"]) == ("AWS eu-central-1", "4.2.0")
    assert facts["packages"] == "Django 5.0.6" and facts["agent_version"] == "0.1.0"
    assert set(facts) & set(QUESTIONNAIRE["properties"]) == {"runtime", "os", "deployment", "cloud",
                                                             "product_version"}


def test_registration_prefills_the_questionnaire_and_the_profile(api_as, acme):
    component = make_component()
    do_set_questionnaire(component, QUESTIONNAIRE)
    issue = make_issue(acme, component=component)
    _, secret = make_agent_token("portal")
    assert AgentClient(secret).register(tags=TAGS).status_code == 200
    assert AgentInstance.objects.get().organization == acme

    api = api_as(make_staff("support_t2"))
    answers = api.get(f"/issues/{issue.key}/questionnaire").json()["answers"]
    assert answers == {"runtime": "CPython 3.11.7", "os": "Linux-6.1.0-x86_64-with-glibc2.36",
                       "deployment": "Kubernetes", "cloud": "AWS eu-central-1", "product_version": "4.2.0"}
    profile = api.get(f"/organizations/{acme.pk}/profile").json()
    assert '"agent"' in str(profile).replace("'", '"') and "CPython 3.11.7" in str(profile)


def test_an_instance_without_an_organization_tag_changes_no_environment(acme):
    _, secret = make_agent_token("portal")
    assert AgentClient(secret).register(tags={"env": "prod"}).status_code == 200
    acme.refresh_from_db()
    assert acme.environment == {} and AgentInstance.objects.get().organization is None
