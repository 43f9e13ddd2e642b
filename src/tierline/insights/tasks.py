"""Background work for the analytics: keep the fact rows up to date. Thin: call the action."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .actions import do_refresh_changed_facts, do_snapshot_default_tables


@db_periodic_task(crontab(minute="*/5"))
def refresh_issue_facts() -> None:
    do_refresh_changed_facts()
    do_snapshot_default_tables()
