"""Similar issues: ranked by words they share, open and resolved, scoped to what the caller sees."""

import pytest

from tests.factories import make_customer, make_issue, make_staff
from tierline.intake.similar import query_terms, similar_issues
from tierline.issues.actions import do_update_issue

pytestmark = pytest.mark.django_db


def test_query_terms_drop_noise_words():
    assert query_terms("The export of the CSV file fails, please help!") == ["export", "csv", "file", "fails", "help"]


def test_lookups_use_the_rarest_words_within_a_candidate_budget():
    from tierline.intake.similar import _distinctive

    counts = {"edits": 1500, "namenode": 10, "journal": 3000, "the": 60000, "checkpoint": 40, "corrupt": 900,
              "upgrade": 4000}
    # 100,000 issues: words in more than 5% are dropped, and candidates stop near 5,000 postings.
    assert _distinctive(counts, list(counts), 100_000, "sqlite") == ["namenode", "checkpoint", "corrupt", "edits"]
    # PostgreSQL reads a row per candidate: it stops near 2,000.
    assert _distinctive(counts, list(counts), 100_000, "postgresql") == ["namenode", "checkpoint", "corrupt"]
    # The three rarest words count whatever they cost; unknown words are skipped.
    assert _distinctive({"a": 4000, "b": 4500, "c": 4900}, ["a", "b", "c", "zzz"], 100_000, "sqlite") == [
        "a", "b", "c"]


def test_postgresql_asks_for_the_lexemes_of_new_words_only(django_assert_num_queries):
    from django.db import connection

    from tierline.intake import similar

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's stemming")
    similar._pg_lexemes.clear()
    with django_assert_num_queries(1), connection.cursor() as cursor:
        assert similar.pg_lexemes(cursor, ["exports", "failing", "the"]) == ["export", "fail"]
    with django_assert_num_queries(1), connection.cursor() as cursor:  # "exports" is known by now
        assert similar.pg_lexemes(cursor, ["exports", "namenodes"]) == ["export", "namenod"]
    with django_assert_num_queries(0), connection.cursor() as cursor:
        assert similar.pg_lexemes(cursor, ["namenodes", "the"]) == ["namenod"]


def test_the_closest_issue_ranks_first_open_or_resolved(org, agent):
    resolved = make_issue(org, title="CSV export times out for large projects",
                          description="Exporting more than 10000 rows to CSV times out after 30 seconds")
    do_update_issue(resolved, actor=agent, status="resolved")
    make_issue(org, title="Login page shows a blank screen", description="Safari only, after the update")
    make_issue(org, title="Invoices PDF missing the VAT number")
    new = make_issue(org, title="Export to CSV timing out", description="Our large project export times out")
    found = similar_issues(new)
    assert found[0].issue == resolved and found[0].score > 0
    assert new not in [s.issue for s in found]


def test_renamed_issues_are_reindexed(org, agent):
    issue = make_issue(org, title="Mobile app crashes on start")
    probe = make_issue(org, title="Webhook retries duplicate deliveries")
    assert issue not in [s.issue for s in similar_issues(probe)]
    do_update_issue(issue, actor=agent, title="Webhook deliveries duplicated by retries")
    assert similar_issues(probe)[0].issue == issue


def test_the_api_lists_similar_issues_for_staff(api_as, org, other_org):
    first = make_issue(org, title="Search results empty for quoted phrases")
    second = make_issue(org, title="Quoted phrases return empty search results")
    response = api_as(make_staff("support_t2")).get(f"/intake/issues/{second.key}/similar")
    assert response.status_code == 200
    assert response.json()[0]["key"] == first.key
    assert api_as(make_customer(org)).get(f"/intake/issues/{second.key}/similar").status_code == 403
    assert api_as(make_customer(other_org)).get(f"/intake/issues/{second.key}/similar").status_code == 404


def _problem_with(issue, agent):
    from tierline.escalation.problems import do_create_problem, do_link_issue_to_problem

    problem = do_create_problem(actor=agent, title="Export worker runs out of memory")
    do_link_issue_to_problem(problem, issue, actor=agent)
    return problem


def test_a_near_duplicate_joins_its_matchs_problem_when_switched_on(org, agent, settings):
    from tierline.intake.similar import link_new_near_duplicates
    from tierline.issues.models import EventKind

    settings.PROBLEM_AUTOLINK_PERCENT = 60
    known = make_issue(org, title="CSV export times out for large projects",
                       description="Exporting more than 10000 rows to CSV times out after 30 seconds")
    make_issue(org, title="Login page shows a blank screen", description="Safari only, after the update")
    problem = _problem_with(known, agent)
    link_new_near_duplicates()  # the issues so far are checked once
    near = make_issue(org, title="CSV export times out on large projects",
                      description="Exporting 20000 rows to CSV times out after 30 seconds")
    unrelated = make_issue(org, title="Invoices PDF missing the VAT number")
    assert link_new_near_duplicates() == 1
    assert list(problem.issues.order_by("id")) == [known, near]
    assert not unrelated.problems.exists()
    note = near.events.get(kind=EventKind.NOTE_ADDED).comment
    assert not note.is_public and known.key in note.body and "% similar" in note.body
    assert near.events.filter(kind=EventKind.PROBLEM_LINKED).count() == 1
    assert link_new_near_duplicates() == 0  # each new issue is looked at once


def test_near_duplicates_are_not_linked_by_default(org, agent):
    from tierline.intake.similar import link_new_near_duplicates

    known = make_issue(org, title="CSV export times out for large projects")
    problem = _problem_with(known, agent)
    twin = make_issue(org, title="CSV export times out for large projects")
    assert link_new_near_duplicates() == 0
    assert list(problem.issues.all()) == [known] and not twin.problems.exists()


def test_a_match_below_the_threshold_is_not_linked(org, agent, settings):
    from tierline.intake.similar import closeness, link_new_near_duplicates

    settings.PROBLEM_AUTOLINK_PERCENT = 95
    known = make_issue(org, title="CSV export times out for large projects",
                       description="Exporting more than 10000 rows to CSV times out after 30 seconds")
    problem = _problem_with(known, agent)
    link_new_near_duplicates()
    loose = make_issue(org, title="Export is slow", description="The CSV export takes long for big projects")
    assert link_new_near_duplicates() == 0
    match_id, similarity = closeness(loose)
    assert match_id == known.pk and 0 < similarity < 0.95
    assert list(problem.issues.all()) == [known]
