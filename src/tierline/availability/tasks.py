"""Background work for availability. Thin: call the action."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def sync_alert_outages() -> None:
    """Open and end outages from the alert events written since the last run."""
    from .actions import do_sync_alert_outages

    do_sync_alert_outages()
