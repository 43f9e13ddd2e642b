"""Background work for live debugging. Thin: call an action."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .actions import do_expire_hits


@db_periodic_task(crontab(minute="17"))
def expire_probe_hits() -> None:
    # Hits hold live values from customers' requests: kept TIERLINE_PROBE_HIT_RETENTION_DAYS, no longer.
    do_expire_hits()
