"""Every write of business metrics: definitions, points, and what the detector finds.

`do_record_points` stores a batch (all or nothing, idempotent on metric and timestamp) and
enqueues detection; `do_detect_metric_anomalies` judges the points not yet judged, against a
bounded window of history, and opens or resolves the metric's one proactive issue
(`anomalies.py`) when k of n points fall outside the pattern or the metric recovers.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from tierline.errors import InvalidInput, PayloadTooLarge
from tierline.intake.secrets import new_salt

from .detector import (
    OPENED,
    RECOVERED,
    WEEK,
    DetectorConfig,
    History,
    PersistenceState,
    baseline_sample,
    judge,
    paced,
    step,
)
from .models import Metric, MetricKind, MetricPoint

MAX_VALUE = 1e15  # larger numbers are a sender's bug, not a business metric
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def detector_config() -> DetectorConfig:
    k, n = settings.METRIC_PERSISTENCE
    return DetectorConfig(threshold=settings.METRIC_THRESHOLD, k=k, n=n,
                          recovery_seconds=settings.METRIC_RECOVERY_MINUTES * 60,
                          rest_seconds=settings.METRIC_REST_MINUTES * 60)


def do_create_metric(*, name: str, kind: str = MetricKind.COUNT, description: str = "",
                     organization=None, component=None) -> Metric:
    name = (name or "").strip()
    if not name or slugify(name) != name:
        raise InvalidInput("A metric name is a slug", {"name": "lower-case letters, digits, - and _"})
    if kind not in MetricKind.values:
        raise InvalidInput("Invalid kind", {"kind": f"one of {', '.join(MetricKind.values)}"})
    if Metric.objects.filter(name=name).exists():
        raise InvalidInput("A metric with this name exists", {"name": "already taken"})
    return Metric.objects.create(name=name, kind=kind, description=description.strip()[:300],
                                 organization=organization, component=component, secret_salt=new_salt())


def do_rotate_metric_secret(metric: Metric) -> Metric:
    metric.secret_salt = new_salt()
    metric.save(update_fields=["secret_salt"])
    return metric


def _clean_point(metric: Metric, point: dict, latest: datetime) -> tuple[dict | None, str]:
    """The row fields of one point, or why it is refused."""
    at = point.get("at")
    if not isinstance(at, datetime) or at.tzinfo is None:
        return None, "needs `at` with a time zone"
    if not EARLIEST <= at <= latest:
        return None, "`at` is before 2000 or more than a day ahead"
    value, successes, attempts = point.get("value"), point.get("successes"), point.get("attempts")
    if metric.kind == MetricKind.CONVERSION:
        if successes is None or attempts is None or value is not None:
            return None, "a conversion point has `successes` and `attempts`, not `value`"
        if not 0 <= successes <= attempts <= MAX_VALUE:
            return None, "needs 0 <= successes <= attempts"
        rate = successes / attempts if attempts else 0.0
        return {"at": at, "value": rate, "successes": successes, "attempts": attempts}, ""
    if value is None or successes is not None or attempts is not None:
        return None, "a count point has `value`, not `successes` or `attempts`"
    if not 0 <= value <= MAX_VALUE:
        return None, f"`value` is between 0 and {MAX_VALUE:.0e}"
    return {"at": at, "value": float(value), "successes": None, "attempts": None}, ""


def do_record_points(metric: Metric, points: list[dict]) -> dict:
    """Store a batch of points; a timestamp already stored with the same numbers changes nothing,
    with other numbers it is corrected and judged again. One bad point refuses the whole batch,
    naming every bad item, so nothing is partially stored."""
    if len(points) > settings.METRIC_MAX_POINTS:
        raise PayloadTooLarge(f"At most {settings.METRIC_MAX_POINTS} points per request",
                              {"points": f"{len(points)} points"})
    if not points:
        raise InvalidInput("No points", {"points": "at least one point"})
    latest = timezone.now() + timedelta(days=1)
    rows, errors, seen = [], {}, {}
    for i, point in enumerate(points):
        row, problem = _clean_point(metric, point, latest)
        if row is not None and row["at"] in seen:
            row, problem = None, f"repeats the timestamp of points.{seen[row['at']]}"
        if row is None:
            errors[f"points.{i}"] = problem
        else:
            seen[row["at"]] = i
            rows.append(row)
    if errors:
        raise InvalidInput(f"{len(errors)} of {len(points)} points refused; nothing was stored", errors)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        stored = {p.at: p for p in MetricPoint.objects.filter(metric=metric, at__in=list(seen))}
        new, changed = [], []
        for row in rows:
            existing = stored.get(row["at"])
            if existing is None:
                new.append(MetricPoint(metric=metric, **row))
            elif (existing.value, existing.successes, existing.attempts) != (
                    row["value"], row["successes"], row["attempts"]):
                existing.value, existing.successes, existing.attempts = row["value"], row["successes"], row["attempts"]
                existing.is_outside = existing.expected = existing.low = existing.high = existing.score = None
                changed.append(existing)
        # A concurrent identical batch may have stored some first: theirs stands, nothing doubles.
        MetricPoint.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        MetricPoint.objects.bulk_update(changed, ["value", "successes", "attempts", "is_outside", "expected",
                                                  "low", "high", "score"], batch_size=500)
        counts = {"created": len(new), "updated": len(changed), "unchanged": len(rows) - len(new) - len(changed)}
        if new or changed:
            from .tasks import detect_metric_anomalies

            transaction.on_commit(lambda: detect_metric_anomalies(metric.pk))
    return counts


def _history(metric: Metric, start: datetime, end: datetime, config: DetectorConfig) -> History:
    lookback = timedelta(seconds=config.weeks * WEEK + config.half_slot)
    # A conversion point without attempts says nothing about the rate: it is not part of the pattern.
    rows = (MetricPoint.objects.filter(metric=metric, at__gte=start - lookback, at__lte=end).exclude(attempts=0)
            .values_list("at", "value"))
    return History([at.timestamp() for at, _ in rows], [value for _, value in rows])


def do_detect_metric_anomalies(metric: Metric, *, chunk: int = 2000) -> list[str]:
    """Judge every point not judged yet, oldest first, each against the same times of earlier
    weeks or days only (a bounded window, never the whole series); open or resolve the anomaly."""
    from .anomalies import close_anomaly, open_anomaly

    config = detector_config()
    transitions = []
    while True:
        with transaction.atomic():
            metric = Metric.objects.select_for_update().get(pk=metric.pk)
            pending = list(MetricPoint.objects.filter(metric=metric, is_outside__isnull=True).order_by("at")[:chunk])
            if not pending:
                return transitions
            history = _history(metric, pending[0].at, pending[-1].at, config)
            config = paced(detector_config(), history)  # recovery and rest in this metric's points
            keep = max(config.n, config.clear)
            # Entries stored before the settled flag existed: settled when not outside.
            recent = [(f[0], f[1], f[2] if len(f) > 2 else not f[1]) for f in metric.recent_flags][-keep:]
            state = PersistenceState([f[1] for f in recent], [f[2] for f in recent],
                                     is_open=metric.open_anomaly_id is not None, rest=metric.rest_points)
            times = [f[0] for f in recent]
            for point in pending:
                verdict = judge(point.value, baseline_sample(history, int(point.at.timestamp()), config), config,
                                successes=point.successes, attempts=point.attempts)
                point.expected, point.low, point.high = verdict.expected, verdict.low, verdict.high
                point.score, point.is_outside = verdict.score, verdict.is_outside
                times = [*times, point.at.isoformat()][-keep:]
                transition = step(state, verdict.is_outside, config, verdict.is_settled)
                if transition == OPENED:
                    started = min(datetime.fromisoformat(at) for at, flag in zip(
                        times[-config.n:], state.recent[-config.n:], strict=True) if flag)
                    open_anomaly(metric, point, started_at=started)
                elif transition == RECOVERED:
                    close_anomaly(metric, point)
                if transition:
                    transitions.append(transition)
            MetricPoint.objects.bulk_update(pending, ["expected", "low", "high", "score", "is_outside"],
                                            batch_size=500)
            metric.recent_flags = [list(f) for f in zip(times, state.recent, state.settled, strict=True)]
            metric.rest_points = state.rest
            metric.save(update_fields=["recent_flags", "rest_points", "open_anomaly"])
