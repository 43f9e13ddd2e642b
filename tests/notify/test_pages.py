import pytest
from django.test import Client

from tests.factories import make_contact, make_customer, make_issue, make_org, make_staff
from tierline.issues.actions import do_update_issue
from tierline.issues.models import Status
from tierline.notify.models import FixRelease, SatisfactionRating
from tierline.notify.surveys import make_rating_token

pytestmark = pytest.mark.django_db


def test_the_problem_page_offers_the_fix_shipped_button_to_problem_managers(client, problem_with_issues, engineer):
    problem, _ = problem_with_issues(3)
    client.force_login(engineer)
    page = client.get(f"/desk/problems/{problem.pk}/").content.decode()
    assert "Fix shipped — tell 3 customers" in page
    client.force_login(make_staff("support_t1"))
    page = client.get(f"/desk/problems/{problem.pk}/").content.decode()
    assert "Fix shipped — tell" not in page and "each customer with a linked issue is told once" in page


def test_posting_the_form_ships_the_fix_as_typed(client, problem_with_issues, engineer,
                                                 django_capture_on_commit_callbacks):
    problem, issues = problem_with_issues(2)
    client.force_login(engineer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/desk/problems/{problem.pk}/fix-shipped",
                               {"version": "9.1", "note": "Thanks for your patience"})  # resolving unticked
    assert response.status_code == 302 and response["Location"] == f"/desk/problems/{problem.pk}/"
    release = FixRelease.objects.get(problem=problem)
    assert (release.version, release.note, release.resolve_issues) == ("9.1", "Thanks for your patience", False)
    assert all(i.fix_notices.count() == 1 for i in issues)
    page = client.get(f"/desk/problems/{problem.pk}/").content.decode()
    assert "2 of 2 linked issues told." in page


def test_the_portal_shows_the_notice_to_the_customer(client, problem_with_issues, engineer,
                                                     django_capture_on_commit_callbacks):
    problem, issues = problem_with_issues(1)
    issue = issues[0]
    client.force_login(make_customer(issue.organization))
    assert "A fix for this issue has shipped" not in client.get(f"/portal/issues/{issue.key}/").content.decode()
    from tierline.notify.fixes import do_ship_fix

    with django_capture_on_commit_callbacks(execute=True):
        do_ship_fix(problem, actor=engineer, version="4.0")
    page = client.get(f"/portal/issues/{issue.key}/").content.decode()
    assert "A fix for this issue has shipped in version 4.0" in page


def test_the_rating_page_records_at_once_and_keeps_the_link_out_of_referrers():
    org = make_org()
    issue = do_update_issue(make_issue(org, requester=make_contact(org)), actor=None, status=Status.RESOLVED)
    token = make_rating_token(issue)
    response = Client().get(f"/rate/{token}", {"rating": "bad"})
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin" and response["Cache-Control"] == "no-store"
    assert SatisfactionRating.objects.get().rating == "bad"
    again = Client().post(f"/rate/{token}", {"rating": "", "comment": "typed"})
    assert again.status_code == 422 and "Choose a rating" in again.content.decode()
    assert SatisfactionRating.objects.get().comment == ""
    assert Client().get(f"/rate/{token}x", {"rating": "good"}).status_code == 404


def test_the_desk_timeline_shows_the_fix_and_the_rating(client, problem_with_issues, engineer,
                                                        django_capture_on_commit_callbacks):
    from tierline.notify.fixes import do_ship_fix

    problem, [issue] = problem_with_issues(1)
    with django_capture_on_commit_callbacks(execute=True):
        do_ship_fix(problem, actor=engineer, version="5.0")
    issue.refresh_from_db()
    token = make_rating_token(issue)
    Client().get(f"/rate/{token}", {"rating": "good"})
    client.force_login(engineer)
    page = client.get(f"/desk/issues/{issue.key}/").content.decode()
    timeline = page[page.index('aria-label="Timeline"'):]
    assert f"fix for PRB-{problem.pk} shipped in 5.0; the customer was told and the issue resolved" in timeline
    assert "rated the resolution good" in timeline


def test_the_rating_page_without_a_choice_records_nothing_until_one_is_sent():
    org = make_org()
    issue = do_update_issue(make_issue(org, requester=make_contact(org)), actor=None, status=Status.RESOLVED)
    token = make_rating_token(issue)
    page = Client().get(f"/rate/{token}")
    assert page.status_code == 200 and "How did we do?" in page.content.decode()
    assert not SatisfactionRating.objects.exists()
    Client().post(f"/rate/{token}", {"rating": "good", "comment": ""})
    assert SatisfactionRating.objects.get().rating == "good"


def test_the_survey_mail_threads_into_the_issues_conversation(django_capture_on_commit_callbacks):
    from django.core import mail

    from tierline.intake.actions import do_remember_mail_id

    org = make_org()
    issue = make_issue(org, requester=make_contact(org))
    do_remember_mail_id(message_id="<first@customer.example>", issue=issue, comment=None, direction="in")
    with django_capture_on_commit_callbacks(execute=True):
        do_update_issue(issue, actor=None, status=Status.RESOLVED)
    [survey] = [m for m in mail.outbox if "How did we do" in m.subject]
    assert survey.extra_headers["In-Reply-To"] == "<first@customer.example>"
    assert survey.subject.startswith(f"[{issue.key}]")


def test_a_bad_choice_on_a_forged_link_is_a_404_and_on_a_good_one_asks_again():
    org = make_org()
    issue = do_update_issue(make_issue(org, requester=make_contact(org)), actor=None, status=Status.RESOLVED)
    assert Client().post("/rate/forged", {"rating": "meh"}).status_code == 404
    assert Client().get("/rate/forged", {"rating": "meh"}).status_code == 404
    asked = Client().post(f"/rate/{make_rating_token(issue)}", {"rating": "meh"})
    assert asked.status_code == 422 and "Choose a rating" in asked.content.decode()
