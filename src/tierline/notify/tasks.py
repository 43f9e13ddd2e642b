"""Background work for closing the loop. Thin: load by id, call an action."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .delivery import do_deliver_due_webhooks, seconds_to_next_retry
from .fixes import do_tell_customers_of_fix
from .mail import do_send_satisfaction_survey


@db_task(retries=3, retry_delay=30)
def tell_customers_of_fix(release_id: int) -> None:
    # Each issue is told in its own transaction, so a retry goes on where the last run stopped.
    do_tell_customers_of_fix(release_id)


@db_task(retries=3, retry_delay=60)
def send_satisfaction_survey(issue_id: int, resolved_at: str) -> None:
    do_send_satisfaction_survey(issue_id, resolved_at)


@db_task()
def deliver_webhooks() -> None:
    do_deliver_due_webhooks()
    soon = seconds_to_next_retry()
    if soon is not None and soon < 60:  # the minutely sweep would be late for the first retries
        deliver_webhooks.schedule(delay=soon)


@db_periodic_task(crontab(minute="*"))
def deliver_due_webhooks() -> None:
    # Retries come due here (the first attempt runs as soon as the event commits).
    do_deliver_due_webhooks()
