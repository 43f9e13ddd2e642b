import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_contact, make_issue, make_staff, make_team
from tierline.issues.actions import do_add_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, agent):
    client.force_login(agent)
    return client


def test_queue_lists_and_filters(desk, org, other_org):
    slow = make_issue(org, title="Dashboard slow", channel="email")
    make_issue(other_org, title="Invoice wrong")
    page = desk.get("/desk/").content.decode()
    assert "Dashboard slow" in page and "Invoice wrong" in page
    page = desk.get("/desk/", {"organization": org.pk}).content.decode()
    assert "Dashboard slow" in page and "Invoice wrong" not in page
    page = desk.get("/desk/", {"q": "invoice"}).content.decode()
    assert "Invoice wrong" in page and "Dashboard slow" not in page
    page = desk.get("/desk/", {"channel": "email"}).content.decode()
    assert slow.key in page and "Invoice wrong" not in page


def test_queue_query_count_does_not_grow_with_rows(desk, org, django_assert_max_num_queries):
    team = make_team("Support", tier=1)
    for n in range(60):
        make_issue(org, team=team, assignee=make_staff() if n % 10 == 0 else None, requester=make_contact(org))
    with django_assert_max_num_queries(12):
        response = desk.get("/desk/")
    assert response.content.decode().count("/desk/issues/") == 50
    assert "Next page" in response.content.decode()


def test_issue_page_query_count_does_not_grow_with_timeline(desk, org, agent, django_assert_max_num_queries):
    issue = make_issue(org, requester=make_contact(org))
    for n in range(30):
        do_add_comment(issue, author=agent, body=f"reply {n}", is_public=n % 2 == 0, notify=False)
    # 2 of these are the same for every page: the reader's unmask grants and the sensitivity rules;
    # the side panels (time, outages, ratings, feature request, ...) cost at most one each.
    with django_assert_max_num_queries(21):
        response = desk.get(f"/desk/issues/{issue.key}/")
    assert response.content.decode().count("reply ") == 30


def test_reply_and_internal_note_from_the_issue_page(desk, org):
    issue = make_issue(org)
    response = desk.post(f"/desk/issues/{issue.key}/comment", {"body": "We fixed it", "is_public": "1"})
    assert response.status_code == 302
    desk.post(f"/desk/issues/{issue.key}/comment", {"body": "root cause: cache", "is_public": "0"})
    comments = list(issue.comments.values_list("body", "is_public"))
    assert comments == [("We fixed it", True), ("root cause: cache", False)]
    page = desk.get(f"/desk/issues/{issue.key}/").content.decode()
    assert "left an internal note" in page and "root cause: cache" in page


def test_reply_with_attachment_over_limit_keeps_the_text(desk, org, settings):
    settings.MAX_ATTACHMENT_BYTES = 4
    issue = make_issue(org)
    upload = SimpleUploadedFile("big.log", b"0123456789")
    response = desk.post(f"/desk/issues/{issue.key}/comment",
                         {"body": "my long careful answer", "is_public": "1", "attachments": upload})
    assert response.status_code == 413
    assert "my long careful answer" in response.content.decode()
    assert issue.comments.count() == 0


def test_change_status_assignee_and_team(desk, org, agent):
    issue = make_issue(org)
    team = make_team("Operations", tier=3)
    response = desk.post(f"/desk/issues/{issue.key}/update",
                         {"status": "pending", "assignee": agent.pk, "team": team.pk})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert (issue.status, issue.assignee, issue.team) == ("pending", agent, team)
    assert set(issue.events.values_list("kind", flat=True)) >= {"status_changed", "assigned", "team_changed"}


def test_invalid_update_is_shown_not_saved(desk, org):
    issue = make_issue(org)
    response = desk.post(f"/desk/issues/{issue.key}/update", {"status": "exploded"})
    assert response.status_code == 422
    issue.refresh_from_db()
    assert issue.status == "new"


def test_unknown_issue_page_is_404(desk):
    assert desk.get("/desk/issues/TL-999999/").status_code == 404


def test_broken_cursor_shows_first_page_with_a_message(desk, org):
    make_issue(org, title="Visible anyway")
    page = desk.get("/desk/", {"cursor": "garbage"}).content.decode()
    assert "Visible anyway" in page and "Invalid cursor" in page


def test_attachment_download_checks_access(client, desk, org, other_org, settings, tmp_path):
    from tests.factories import make_customer

    settings.MEDIA_ROOT = tmp_path
    issue = make_issue(org)
    desk.post(f"/desk/issues/{issue.key}/comment", {"body": "note", "is_public": "0",
                                                  "attachments": SimpleUploadedFile("secret.txt", b"s3cr3t")})
    attachment = issue.attachments.get()
    response = desk.get(f"/attachments/{attachment.pk}")
    assert b"".join(response.streaming_content) == b"s3cr3t"
    client.force_login(make_customer(org))  # same org, but the note is internal
    assert client.get(f"/attachments/{attachment.pk}").status_code == 404


def test_the_timeline_words_probes_and_feature_requests(desk, org, agent):
    from tests.feedback.helpers import ask, make_request
    from tests.probes.helpers import make_probe
    from tierline.probes.actions import do_remove_probe

    request = make_request("Export invoices as CSV")
    issue = ask(request, org, actor=agent)
    probe = make_probe(issue, actor=agent, condition="len(token) > 8000")
    do_remove_probe(probe, actor=agent, reason="found it")
    timeline = desk.get(f"/desk/issues/{issue.key}/").content.decode()
    timeline = timeline[timeline.index('aria-label="Timeline"'):]
    assert f"marked as feature request {request.key} “Export invoices as CSV”" in timeline
    assert (f"added log probe {probe.public_id} at <code>app/auth.py:88</code> on portal, only acme-robotics: "
            "token too long for TL customers") in timeline
    assert f"removed probe {probe.public_id} at <code>app/auth.py:88</code>: found it" in timeline
