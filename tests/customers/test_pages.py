"""The customer page of the desk and the portal's access log, rendered by Django's test client."""

import pytest

from tests.factories import make_contact, make_customer, make_issue, make_org, make_staff
from tierline.audit.models import AuditEntry
from tierline.customers.models import UnmaskGrant
from tierline.customers.sensitivity import MASK

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    org = make_org(name="Acme Robotics", email_domains=["acme.example"])
    make_contact(org, email="jonas@acme.example", name="Jonas Berg")
    return org


def test_staff_see_the_customer_page_masked_and_unmask_with_a_reason(client, acme):
    engineer = make_staff("engineer_t4")
    issue = make_issue(acme, title="Login fails", assignee=engineer)
    client.force_login(engineer)
    page = client.get(f"/desk/customers/{acme.pk}/").content.decode()
    assert MASK in page and "jonas@acme.example" not in page and issue.key in page
    response = client.post(f"/desk/customers/{acme.pk}/unmask", {"issue": issue.key, "reason": "too short"})
    assert response.status_code == 302 and not UnmaskGrant.objects.exists()
    client.post(f"/desk/customers/{acme.pk}/unmask", {"issue": issue.key, "reason": "Jonas cannot log in"})
    page = client.get(f"/desk/customers/{acme.pk}/").content.decode()
    assert "jonas@acme.example" in page
    assert AuditEntry.objects.filter(action="personal_data.viewed", actor=engineer).count() == 1


def test_customers_cannot_open_the_customer_page(client, acme):
    client.force_login(make_customer(acme))
    assert client.get(f"/desk/customers/{acme.pk}/")["Location"] == "/portal/"
    assert client.post(f"/desk/customers/{acme.pk}/unmask", {"issue": "TL-1", "reason": "x" * 20}).status_code == 302
    assert not UnmaskGrant.objects.exists()


def test_the_unmask_form_needs_a_csrf_token(acme):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_staff("engineer_t4"))
    issue = make_issue(acme)
    assert client.post(f"/desk/customers/{acme.pk}/unmask", {"issue": issue.key,
                                                             "reason": "Jonas cannot log in"}).status_code == 403
    assert not UnmaskGrant.objects.exists()


def test_the_portal_lists_who_looked(client, acme):
    from tests.factories import make_unmask_grant

    issue = make_issue(acme)
    make_unmask_grant(acme, issue, requester=make_staff("engineer_t4", name="Erin"), reason="Jonas cannot log in")
    client.force_login(make_customer(acme))
    page = client.get("/portal/access-log/").content.decode()
    assert "Erin" in page and "Jonas cannot log in" in page and issue.key in page


def test_the_customer_page_costs_the_same_queries_for_many_contacts_and_issues(client, acme,
                                                                                django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_staff("engineer_t4"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/desk/customers/{acme.pk}/").status_code == 200
        return len(queries)

    make_issue(acme)
    few = count()
    for _ in range(8):
        make_contact(acme)
        make_issue(acme)
    assert count() == few


def test_opened_from_an_issue_the_page_shows_the_configuration_change_before_it(client, acme):
    from datetime import timedelta

    from django.utils import timezone

    from tierline.customers.actions import do_receive_configuration

    now = timezone.now()
    do_receive_configuration(acme, {"limits": {"api_rate": 600}, "smtp": {"password": "hunter2"}},
                             received_at=now - timedelta(days=3))
    do_receive_configuration(acme, {"limits": {"api_rate": 60}, "smtp": {"password": "hunter3"}},
                             received_at=now - timedelta(days=1))
    issue = make_issue(acme, title="API calls rejected")
    client.force_login(make_staff("support_t2"))
    issue_page = client.get(f"/desk/issues/{issue.key}/").content.decode()
    assert f"/desk/customers/{acme.pk}/?issue={issue.key}" in issue_page
    page = client.get(f"/desk/customers/{acme.pk}/", {"issue": issue.key}).content.decode()
    assert f"Configuration change before {issue.key}" in page and "limits.api_rate" in page
    assert "hunter" not in page and "[secret]" in page


def test_the_unmask_form_offers_only_issues_the_reader_works_on(client, acme):
    engineer = make_staff("engineer_t4")
    mine, not_mine = make_issue(acme, title="Mine", assignee=engineer), make_issue(acme, title="Not mine")
    client.force_login(engineer)
    page = client.get(f"/desk/customers/{acme.pk}/").content.decode()
    assert f'<option value="{mine.key}"' in page and f'<option value="{not_mine.key}"' not in page
    client.post(f"/desk/customers/{acme.pk}/unmask", {"issue": not_mine.key, "reason": "Jonas cannot log in"})
    assert not UnmaskGrant.objects.exists()
    client.force_login(make_staff("engineer_t4"))
    assert "To unmask, work on one of this customer" in client.get(f"/desk/customers/{acme.pk}/").content.decode()
