"""Background work for calls. Thin: load by id, call an action."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .actions import do_index_contact_numbers, do_process_call_delivery
from .models import CallDelivery


@db_task(retries=2, retry_delay=10)
def process_call_delivery(delivery_id: int) -> None:
    delivery = CallDelivery.objects.filter(pk=delivery_id).first()
    if delivery is not None:
        do_process_call_delivery(delivery)


@db_periodic_task(crontab(minute="*/10"))
def index_contact_numbers() -> None:
    # Matching reads new contacts itself; this catches numbers changed behind the application's back.
    do_index_contact_numbers()
