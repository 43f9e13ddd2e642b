"""A metric's push secret: the same derivation and checks as alert integrations
(tierline.intake.secrets), in a namespace of its own ("metric:<name>" can never be an
integration's slug), so nothing that could push points is stored."""

from tierline.intake.secrets import integration_secret

from .models import Metric


def metric_secret(metric: Metric) -> str:
    return integration_secret(f"metric:{metric.name}", metric.secret_salt)
