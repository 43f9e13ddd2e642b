import pytest
from django.test import Client

from tests.factories import make_customer, make_issue, make_staff
from tierline.accounts.models import Team, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["support_t1", "engineer_t4", "customer"])
def test_only_admins_enter_the_admin_site(client, org, role):
    user = make_customer(org) if role == "customer" else make_staff(role)
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_creates_a_user_and_a_team_through_the_actions(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/admin/accounts/user/add/", {"email": "New@Tierline.example", "name": "New",
                                                         "role": "engineer_t4", "is_active": "on"})
    assert response.status_code == 302, response.content[:500]
    user = User.objects.get(email="new@tierline.example")  # normalised by do_create_user
    assert user.role == "engineer_t4" and not user.has_usable_password()
    response = client.post("/admin/accounts/team/add/", {"name": "Platform", "slug": "platform", "tier": "4",
                                                         "members": [user.pk]})
    assert response.status_code == 302, response.content[:500]
    assert list(Team.objects.get(slug="platform").members.all()) == [user]


def test_forms_require_a_csrf_token(org):
    customer = make_customer(org)
    issue = make_issue(org, requester=customer.contact)
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    response = client.post(f"/portal/issues/{issue.key}/", {"body": "forged"})
    assert response.status_code == 403
    assert issue.comments.count() == 0


def test_session_api_writes_require_csrf_but_bearer_does_not(org, api_as):
    agent = make_staff()
    issue = make_issue(org)
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    response = client.post(f"/api/v1/issues/{issue.key}/comments", {"body": "x"}, content_type="application/json")
    assert response.status_code in (401, 403)
    assert api_as(agent).post(f"/issues/{issue.key}/comments", {"body": "x"}).status_code == 201
