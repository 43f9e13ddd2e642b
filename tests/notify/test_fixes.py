import pytest
from django.core import mail
from django.test import override_settings

from tests.factories import make_contact, make_issue, make_org
from tierline.escalation.models import ProblemStatus
from tierline.escalation.problems import do_link_issue_to_problem, do_update_problem
from tierline.issues.actions import do_update_issue
from tierline.issues.models import EventKind, Status
from tierline.notify.fixes import do_ship_fix, do_tell_customers_of_fix, issues_to_tell
from tierline.notify.models import FixRelease, ProblemNotice


def kinds(issue):
    return list(issue.events.values_list("kind", flat=True))


def test_shipping_a_fix_tells_every_linked_customer_once_by_email_and_resolves(
        problem_with_issues, engineer, django_capture_on_commit_callbacks):
    problem, issues = problem_with_issues(3)
    with django_capture_on_commit_callbacks(execute=True):
        release = do_ship_fix(problem, actor=engineer, version="2.4.1", note="Logins no longer wait for the cache.")
    assert {m.to[0] for m in mail.outbox if "How did we do" not in m.subject} == {i.requester.email for i in issues}
    reply = next(m for m in mail.outbox if m.to[0] == issues[0].requester.email and "How did we do" not in m.subject)
    assert "version 2.4.1" in reply.body and "Logins no longer wait" in reply.body
    assert "Cache stampede" not in reply.body  # the problem's own title is engineering's, not the customer's
    for issue in issues:
        issue.refresh_from_db()
        assert issue.status == Status.RESOLVED
        assert kinds(issue).count(EventKind.FIX_SHIPPED) == 1
        public = issue.comments.filter(is_public=True)
        assert public.count() == 1 and public.get().author == engineer
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.FIXED and problem.fix_version == "2.4.1"
    assert ProblemNotice.objects.filter(release=release).count() == 3


def test_a_second_ship_or_a_retry_tells_no_one_twice(problem_with_issues, engineer, django_capture_on_commit_callbacks):
    problem, issues = problem_with_issues(2)
    with django_capture_on_commit_callbacks(execute=True):
        release = do_ship_fix(problem, actor=engineer, version="1.0")
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = do_ship_fix(problem, actor=engineer, version="1.1", note="another note")
    assert again.pk == release.pk and again.version == "1.0"  # the first shipping decides
    assert do_tell_customers_of_fix(release.pk) == 0  # a retried task
    assert len(mail.outbox) == sent
    assert all(issue.comments.count() == 1 for issue in issues)


def test_setting_the_problem_fixed_by_hand_ships_its_fix_once(problem_with_issues, engineer,
                                                               django_capture_on_commit_callbacks):
    problem, issues = problem_with_issues(2)
    with django_capture_on_commit_callbacks(execute=True):
        do_update_problem(problem, actor=engineer, status=ProblemStatus.FIXED, fix_version="3.0")
    assert FixRelease.objects.get(problem=problem).version == "3.0"
    with django_capture_on_commit_callbacks(execute=True):
        do_update_problem(problem, actor=engineer, status=ProblemStatus.INVESTIGATING)
        do_update_problem(problem, actor=engineer, status=ProblemStatus.FIXED)
    assert all(kinds(issue).count(EventKind.FIX_SHIPPED) == 1 for issue in issues)


def test_an_issue_linked_after_the_fix_shipped_is_told_by_the_next_run(problem_with_issues, engineer,
                                                                       django_capture_on_commit_callbacks):
    problem, issues = problem_with_issues(1)
    with django_capture_on_commit_callbacks(execute=True):
        do_ship_fix(problem, actor=engineer)
    org = make_org()
    late = make_issue(org, requester=make_contact(org))
    do_link_issue_to_problem(problem, late, actor=engineer)
    assert list(issues_to_tell(problem).values_list("issue_id", flat=True)) == [late.pk]
    with django_capture_on_commit_callbacks(execute=True):
        do_ship_fix(problem, actor=engineer)
    assert kinds(late).count(EventKind.FIX_SHIPPED) == 1 and issues_to_tell(problem).count() == 0


def test_resolving_can_be_turned_off_per_problem_and_by_default(problem_with_issues, engineer,
                                                                 django_capture_on_commit_callbacks):
    problem, issues = problem_with_issues(1)
    with django_capture_on_commit_callbacks(execute=True):
        do_ship_fix(problem, actor=engineer, resolve_issues=False)
    issues[0].refresh_from_db()
    assert issues[0].status == Status.OPEN  # the reply opened it; nobody resolved it
    assert "reply here and let us know" in issues[0].comments.get().body
    other, more = problem_with_issues(1)
    with override_settings(RESOLVE_ON_FIX=False), django_capture_on_commit_callbacks(execute=True):
        release = do_ship_fix(other, actor=engineer)
    more[0].refresh_from_db()
    assert release.resolve_issues is False and more[0].status != Status.RESOLVED


def test_an_issue_already_resolved_is_told_but_not_resolved_again(problem_with_issues, engineer,
                                                                   django_capture_on_commit_callbacks):
    problem, issues = problem_with_issues(1)
    do_update_issue(issues[0], actor=engineer, status=Status.RESOLVED)
    with django_capture_on_commit_callbacks(execute=True):
        release = do_ship_fix(problem, actor=engineer)
    notice = ProblemNotice.objects.get(release=release)
    assert notice.resolved_issue is False and notice.comment is not None
    assert kinds(issues[0]).count(EventKind.STATUS_CHANGED) == 1


def test_the_telling_runs_in_batches_and_a_failure_keeps_what_was_told(problem_with_issues, engineer, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    problem, issues = problem_with_issues(5)
    release = do_ship_fix(problem, actor=engineer)  # its task not run
    import tierline.issues.actions as issue_actions

    calls, original = [], issue_actions.do_add_comment

    def flaky(issue, **kwargs):
        calls.append(issue.pk)
        if len(calls) == 4:
            raise RuntimeError("mail queue down")
        return original(issue, **kwargs)

    monkeypatch.setattr(issue_actions, "do_add_comment", flaky)
    with pytest.raises(RuntimeError):
        do_tell_customers_of_fix(release.pk, batch=2)
    assert ProblemNotice.objects.filter(release=release).count() == 3
    monkeypatch.setattr(issue_actions, "do_add_comment", original)
    assert do_tell_customers_of_fix(release.pk, batch=2) == 2  # the retry tells only the other two
    assert all(kinds(issue).count(EventKind.FIX_SHIPPED) == 1 for issue in issues)
