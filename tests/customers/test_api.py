import pytest

from tests.factories import make_contact, make_customer, make_org, make_staff, make_team

pytestmark = pytest.mark.django_db


def test_admin_creates_and_updates_an_organization(api_as, admin_user):
    api = api_as(admin_user)
    created = api.post("/organizations", {"name": "Initech", "email_domains": ["Initech.example", "@initech.example"],
                                          "importance": "key", "annual_revenue": "260000.00",
                                          "renewal_date": "2027-01-15"})
    assert created.status_code == 201
    assert created.json()["email_domains"] == ["initech.example"]
    org_id = created.json()["id"]
    updated = api.patch(f"/organizations/{org_id}", {"importance": "strategic", "open_deal_value": "50000"})
    assert (updated.json()["importance"], updated.json()["open_deal_value"]) == ("strategic", "50000.00")
    assert api.post("/organizations", {"name": "initech"}).json()["fields"] == {"name": "already taken"}
    assert api.patch(f"/organizations/{org_id}", {"importance": "vip"}).status_code == 422
    assert api.post("/organizations", {"name": "Bad", "email_domains": ["not a domain"]}).status_code == 422


def test_contacts_are_matched_to_organizations_by_domain(api_as, agent, org):
    api = api_as(agent)
    created = api.post("/contacts", {"email": "Jonas@ACME.example", "name": "Jonas"})
    assert created.json()["organization_id"] == org.pk
    assert created.json()["email"] == "jonas@acme.example"
    assert api.post("/contacts", {"email": "jonas@acme.example"}).status_code == 422
    assert api.post("/contacts", {"email": "nobody"}).status_code == 422


def test_lists_page_with_cursors(api_as, agent):
    api = api_as(agent)
    for _ in range(7):
        make_contact(make_org())
    first = api.get("/contacts", limit=5).json()
    second = api.get("/contacts", limit=5, cursor=first["next_cursor"]).json()
    assert len(first["items"]) == 5 and len(second["items"]) == 2 and second["next_cursor"] is None
    assert api.get("/organizations", limit=1000).status_code == 422


def test_customer_sees_own_organization_and_contacts_only(api_as, org, other_org):
    make_contact(org, email="mine@acme.example")
    make_contact(other_org, email="theirs@globex.example")
    api = api_as(make_customer(org))
    assert [o["name"] for o in api.get("/organizations").json()["items"]] == ["Acme Robotics"]
    emails = {c["email"] for c in api.get("/contacts").json()["items"]}
    assert "theirs@globex.example" not in emails and "mine@acme.example" in emails


def test_teams_list_members_and_components(api_as, agent):
    from tests.factories import make_component
    from tierline.accounts.actions import do_set_team_members

    team = make_team("Platform", tier=4)
    engineer = make_staff("engineer_t4", name="Farah")
    do_set_team_members(team, [engineer])
    make_component("API", owner_team=team)
    teams = api_as(agent).get("/teams").json()
    assert teams == [{"id": team.pk, "name": "Platform", "slug": "platform", "tier": 4,
                      "members": [{"id": engineer.pk, "name": "Farah", "email": engineer.email}],
                      "components": ["api"]}]


def test_me_describes_the_caller(api_as, org):
    customer = make_customer(org)
    me = api_as(customer).get("/users/me").json()
    assert (me["role"], me["organization_id"]) == ("customer", org.pk)


def test_contacts_are_listed_for_one_organization(api_as, agent, org, other_org):
    api = api_as(agent)
    mine, _ = make_contact(org), make_contact(other_org)
    listed = api.get("/contacts", organization_id=org.pk)
    assert listed.status_code == 200 and [c["id"] for c in listed.json()["items"]] == [mine.pk]
    assert api.get("/contacts", organization_id="zero").status_code == 422
    assert api.get("/contacts", organization_id=2**63).status_code == 422
