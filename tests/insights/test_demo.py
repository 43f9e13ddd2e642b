"""The demo comes with its analytics built: a fact per issue, some reopenings and repeat problems."""

import pytest

from tierline.demo.seed import seed_demo
from tierline.insights.actions import do_rebuild_issue_facts
from tierline.insights.models import IssueFact
from tierline.issues.models import Issue


@pytest.mark.django_db
def test_the_demo_has_interesting_facts():
    seed_demo(issues=300)
    assert IssueFact.objects.count() == Issue.objects.count()
    assert IssueFact.objects.filter(reopen_count__gt=0).exists()
    assert IssueFact.objects.filter(problem_id__isnull=False).count() >= 2 * 3  # three problems, repeated
    assert IssueFact.objects.filter(max_tier__gte=3).exists()
    before = {f.issue_id: (f.hand_offs, f.teams_touched, f.max_tier) for f in IssueFact.objects.all()}
    do_rebuild_issue_facts()
    assert {f.issue_id: (f.hand_offs, f.teams_touched, f.max_tier) for f in IssueFact.objects.all()} == before
