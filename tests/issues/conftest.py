"""What the batch-action tests share: a business plan's SLA policies on a London office calendar."""

from datetime import time

import pytest

from tierline.escalation.sla import do_create_business_calendar, do_create_sla_policy


@pytest.fixture
def business_policies():
    calendar = do_create_business_calendar(name="London office", time_zone="Europe/London",
                                           workday_start=time(9), workday_end=time(17), holidays=[])
    for priority, minutes in ((0, 15), (1, 30), (2, 60), (3, 240)):
        do_create_sla_policy(name=f"Business P{priority}", plan="business", priority=priority, calendar=calendar,
                             first_response_minutes=minutes, next_response_minutes=2 * minutes,
                             resolution_minutes=8 * minutes)
