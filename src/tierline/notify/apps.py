from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "tierline.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Optional listeners of the issues and escalation apps, which know nothing of this one.
        from tierline.escalation.signals import problem_fixed
        from tierline.issues.signals import events_recorded

        from .fixes import ship_fix_when_problem_fixed
        from .mail import queue_satisfaction_surveys
        from .webhooks import queue_webhook_deliveries

        events_recorded.connect(queue_webhook_deliveries, dispatch_uid="notify.webhooks")
        events_recorded.connect(queue_satisfaction_surveys, dispatch_uid="notify.surveys")
        problem_fixed.connect(ship_fix_when_problem_fixed, dispatch_uid="notify.fixes")
