"""Escalation background work. Thin: the periodic SLA sweep, escalation steps by id, and re-planning
clocks after an SLA configuration change."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(minute="*"))
def sweep_sla_clocks_every_minute() -> None:
    from .policies import sweep_sla_clocks

    sweep_sla_clocks()


@db_task(retries=3, retry_delay=60)
def run_escalation_steps(run_ids: list[int]) -> None:
    # One task per sweep batch: a retry skips the steps already done (EscalationRun.done_at).
    from .policies import do_run_escalation_steps

    do_run_escalation_steps(run_ids)


@db_task(retries=3, retry_delay=60)
def replan_sla_clocks(scope: dict) -> None:
    # After a calendar or SLA policy changed: re-planning twice gives the same answer.
    from .clocks import do_replan_sla_clocks

    do_replan_sla_clocks(scope)
