"""Reviews and mentions: low ratings and negative mentions become issues; re-importing changes nothing."""

import json

import pytest

from tests.factories import make_staff
from tierline.cli import main as tierline
from tierline.intake.actions import do_import_reviews
from tierline.intake.reviews import read_reviews
from tierline.issues.models import Channel, Issue

GOOGLE_PLAY = (
    b"Package Name,App Version Code,Reviewer Language,Review Submit Date and Time,Star Rating,Review Title,"
    b"Review Text,Review Link\n"
    b"com.acme.app,41,en,2026-11-20T10:00:00Z,1,Crashes,\"Crashes every time I open the camera\","
    b"https://play.example/r/1\n"
    b"com.acme.app,41,en,2026-11-20T11:00:00Z,5,Love it,Works great,https://play.example/r/2\n"
    b"com.acme.app,41,de,2026-11-21T09:00:00Z,2,,\"Sync loses my notes\",https://play.example/r/3\n"
)
APP_STORE = "Review ID,Date,Rating,Title,Review,Nickname\n77,2026-11-02,1,Login broken,Cannot log in since 3.2,kim\n"
MENTIONS = json.dumps([
    {"id": "t1", "source": "twitter", "author": "@sam", "text": "@acme your API is down again", "sentiment": -0.8},
    {"id": "t2", "source": "twitter", "author": "@lee", "text": "thanks @acme, fixed quickly", "sentiment": "positive"},
])


def test_google_play_export_columns_are_read():
    reviews = read_reviews(GOOGLE_PLAY)
    assert [(r.source, r.rating, r.external_id) for r in reviews] == [
        ("google_play", 1, "https://play.example/r/1"), ("google_play", 5, "https://play.example/r/2"),
        ("google_play", 2, "https://play.example/r/3")]


def test_not_a_review_export_is_refused():
    with pytest.raises(ValueError):
        read_reviews(b"name,email\nx,y\n")
    with pytest.raises(ValueError):
        read_reviews(b"[1, 2]")


@pytest.mark.django_db
def test_low_ratings_and_negative_mentions_become_issues_once():
    counts = do_import_reviews(read_reviews(GOOGLE_PLAY) + read_reviews(MENTIONS.encode()))
    assert counts == {"issues": 3, "ignored": 2, "already_imported": 0}
    assert sorted(Issue.objects.values_list("channel", flat=True)) == [Channel.REVIEW, Channel.REVIEW, Channel.SOCIAL]
    assert Issue.objects.filter(title__startswith="1★ Crashes").exists()
    again = do_import_reviews(read_reviews(GOOGLE_PLAY) + read_reviews(MENTIONS.encode()))
    assert again == {"issues": 0, "ignored": 0, "already_imported": 5}
    assert Issue.objects.count() == 3


@pytest.mark.django_db
def test_the_cli_imports_a_file(tmp_path, capsys):
    path = tmp_path / "appstore.csv"
    path.write_text(APP_STORE)
    assert tierline(["import", "reviews", str(path)]) == 0
    assert tierline(["import", "reviews", str(path)]) == 0
    assert "1 already imported" in capsys.readouterr().out
    assert Issue.objects.get().channel == Channel.REVIEW
    assert tierline(["import", "reviews", str(tmp_path / "missing.csv")]) == 2


@pytest.mark.django_db
def test_the_api_imports_for_admins(api_as):
    response = api_as(make_staff("admin")).post("/intake/reviews", {"source": "app_store", "data": APP_STORE})
    assert response.status_code == 200 and response.json()["issues"] == 1
    assert api_as(make_staff("admin")).post("/intake/reviews", {"data": "a,b\n1,2"}).status_code == 422


@pytest.mark.parametrize("data", [b"Rating,Review\n1,a\rb\n", b"Rating,Review\ninf,broken\n",
                                  b"Rating,Review\n1,\"open", b"\r\x00,\r"])
def test_odd_csv_is_read_or_refused_never_a_crash(data):
    try:
        assert isinstance(read_reviews(data), list)
    except ValueError as error:
        assert "CSV" in str(error) or "review" in str(error)
