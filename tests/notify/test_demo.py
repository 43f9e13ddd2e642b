import pytest
from django.core import mail

from tierline.demo.seed import seed_demo
from tierline.escalation.models import Problem
from tierline.notify.csat import csat
from tierline.notify.fixes import issues_to_tell
from tierline.notify.models import SatisfactionRating

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_rating_history_and_a_fix_to_ship_and_mails_nobody(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed_demo(issues=200)
    ratings = SatisfactionRating.objects.all()
    assert ratings.count() > 20
    assert {"good", "bad"} == set(ratings.values_list("rating", flat=True))
    assert all(r.rated_at >= r.resolved_at for r in ratings)
    weeks = csat("week")
    assert len(weeks) > 5 and 0.5 < sum(w.good for w in weeks) / sum(w.ratings for w in weeks) < 1
    problem = Problem.objects.get(title__startswith="Invoice totals round twice")
    assert issues_to_tell(problem).count() >= 1
    assert [m for m in mail.outbox if "How did we do" in m.subject] == []  # history is not surveyed now
