"""Background triage. Thin: find what to rescore, call the actions."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tierline.issues.models import DONE_STATUSES, Issue

from .actions import do_recompute_organization_priorities


@db_task(retries=2, retry_delay=30)
def recompute_organization_priorities(organization_id: int) -> None:
    do_recompute_organization_priorities(organization_id)


@db_periodic_task(crontab(minute="7", hour="3"))
def recompute_priorities_daily() -> None:
    # "Renewing in N days" moves every day without any write; rescore what can be affected.
    ids = (Issue.objects.exclude(status__in=DONE_STATUSES).filter(organization__renewal_date__isnull=False)
           .values_list("organization_id", flat=True).distinct())
    for organization_id in list(ids):
        do_recompute_organization_priorities(organization_id, reason="daily rescore")
