"""Signals for optional listeners of the timeline (webhooks, surveys), sent from inside the
actions' transactions, so a listener's rows commit or roll back with the events.

`events_recorded(sender, events=[IssueEvent, ...])`: events just written (bulk-written ones have
no id; each has `issue_id`). Core logic never depends on a listener.
"""

from django.dispatch import Signal

events_recorded = Signal()


def send_events_recorded(sender, events) -> None:
    if events:
        events_recorded.send(sender=sender, events=list(events))
