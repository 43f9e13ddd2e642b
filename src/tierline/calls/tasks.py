"""Background work for calls. Thin: load by id, call an action."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .actions import do_index_contact_numbers, do_process_call_delivery, do_process_waiting_deliveries


@db_task(retries=2, retry_delay=10)
def process_call_delivery(delivery_id: int) -> None:
    # The action loads the delivery itself, locked, so that two reads of it never overlap.
    do_process_call_delivery(delivery_id)


@db_periodic_task(crontab(minute="*/10"))
def index_contact_numbers() -> None:
    # Matching reads new contacts itself; this catches numbers changed behind the application's back.
    do_index_contact_numbers()


@db_periodic_task(crontab(minute="*/10"))
def process_waiting_deliveries() -> None:
    do_process_waiting_deliveries()
