import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from tests.factories import make_contact, make_issue, make_org, make_staff, make_team
from tierline.errors import InvalidInput, NotFound
from tierline.issues.actions import do_add_comment, do_update_issue
from tierline.issues.models import EventKind, Status
from tierline.notify.models import SatisfactionRating
from tierline.notify.surveys import do_rate_issue, make_rating_token


@pytest.fixture
def resolved(db, django_capture_on_commit_callbacks):
    """Resolve an issue the way the desk does, running the work that follows (the survey mail)."""

    def resolve(issue, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            do_update_issue(issue, actor=actor, status=Status.RESOLVED)
        issue.refresh_from_db()
        return issue

    return resolve


def links(message) -> dict[str, str]:
    return dict((rating, url) for url, rating in re.findall(r"(http://\S+/rate/\S+\?rating=(good|bad))", message.body))


def test_resolving_mails_the_requester_one_click_rating_links(resolved):
    org = make_org()
    issue = resolved(make_issue(org, requester=make_contact(org, email="pat@acme.example")))
    survey = [m for m in mail.outbox if "How did we do" in m.subject]
    assert len(survey) == 1 and survey[0].to == ["pat@acme.example"]
    assert set(links(survey[0])) == {"good", "bad"}
    assert issue.events.filter(kind=EventKind.NOTIFIED, data__recipient="pat@acme.example").exists()
    url = links(survey[0])["bad"]
    response = Client().get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200 and b"Bad" in response.content
    rating = SatisfactionRating.objects.get(issue=issue)
    assert rating.rating == "bad" and rating.resolved_at == issue.resolved_at


def test_no_survey_without_a_requester_or_for_an_issue_reopened_before_the_mail(db, django_capture_on_commit_callbacks):
    org = make_org()
    nobody = make_issue(org)
    with django_capture_on_commit_callbacks(execute=True):
        do_update_issue(nobody, actor=None, status=Status.RESOLVED)
    reopened = make_issue(org, requester=make_contact(org))
    with django_capture_on_commit_callbacks(execute=True):
        do_update_issue(reopened, actor=None, status=Status.RESOLVED)
        do_update_issue(reopened, actor=None, status=Status.OPEN)  # before the worker mailed it
    assert [m for m in mail.outbox if "How did we do" in m.subject] == []


def test_rating_again_changes_the_rating_and_the_comment_never_adds_one(resolved):
    org = make_org()
    issue = resolved(make_issue(org, requester=make_contact(org)))
    token = make_rating_token(issue)
    do_rate_issue(token, rating="good")
    do_rate_issue(token, rating="good")  # the same click twice: nothing new on the timeline
    do_rate_issue(token, rating="bad", comment="  Took a week.  ")
    do_rate_issue(token, rating="bad")  # no comment given keeps the one written
    rating = SatisfactionRating.objects.get(issue=issue)
    assert (rating.rating, rating.comment) == ("bad", "Took a week.")
    rated = issue.events.filter(kind=EventKind.SATISFACTION_RATED)
    assert [e.data["rating"] for e in rated] == ["good", "bad"]


def test_each_resolution_round_has_its_own_rating(resolved):
    org = make_org()
    contact = make_contact(org)
    issue = resolved(make_issue(org, requester=contact))
    first = make_rating_token(issue)
    do_add_comment(issue, body="Still broken", is_public=True, author_contact=contact)  # reopens it
    issue = resolved(issue)
    second = make_rating_token(issue)
    do_rate_issue(first, rating="bad")
    do_rate_issue(second, rating="good")
    do_rate_issue(first, rating="bad", comment="the first fix did not hold")
    rounds = list(SatisfactionRating.objects.filter(issue=issue).order_by("resolved_at")
                  .values_list("rating", flat=True))
    assert rounds == ["bad", "good"]


def test_the_rating_keeps_the_team_and_priority_the_issue_had(resolved):
    org, team = make_org(), make_team("Billing")
    issue = make_issue(org, requester=make_contact(org), team=team, priority=1)
    issue = resolved(issue, actor=make_staff())
    rating = do_rate_issue(make_rating_token(issue), rating="good")
    assert (rating.team, rating.priority, rating.contact) == (team, 1, issue.requester)


def test_a_forged_or_damaged_link_rates_nothing(resolved):
    org = make_org()
    issue = resolved(make_issue(org, requester=make_contact(org)))
    forged = signing.dumps({"i": issue.pk, "r": issue.resolved_at.isoformat()}, salt="another salt", compress=True)
    token = make_rating_token(issue)
    for bad in (forged, token[:-2] + "xx", "nonsense"):
        with pytest.raises(NotFound):
            do_rate_issue(bad, rating="good")
    assert not SatisfactionRating.objects.exists()
    with pytest.raises(InvalidInput):
        do_rate_issue(token, rating="meh")


def test_an_old_link_is_refused_after_its_days(resolved, settings, monkeypatch):
    org = make_org()
    issue = resolved(make_issue(org, requester=make_contact(org)))
    token = make_rating_token(issue)
    later = timezone.now() + timedelta(days=31)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())
    with pytest.raises(NotFound):
        do_rate_issue(token, rating="good")
    settings.SATISFACTION_LINK_DAYS = 60
    assert do_rate_issue(token, rating="good").rating == "good"
