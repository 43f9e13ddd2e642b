"""Escalation background work. Thin: the periodic SLA sweep and one escalation step by id."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(minute="*"))
def sweep_sla_clocks_every_minute() -> None:
    from .policies import sweep_sla_clocks

    sweep_sla_clocks()


@db_task(retries=3, retry_delay=60)
def run_escalation_steps(run_ids: list[int]) -> None:
    # One task per sweep batch: a retry skips the steps already done (EscalationRun.done_at).
    from .policies import do_run_escalation_step

    for run_id in run_ids:
        do_run_escalation_step(run_id)
