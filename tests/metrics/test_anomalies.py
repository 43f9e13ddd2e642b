"""A drop in a pushed metric opens one proactive issue on channel `metric` (its organization and
component, a `metric_anomaly` event), and the recovery resolves it (`metric_recovered`);
detection runs in the worker after the points arrive, judging only the new points."""

import pytest

from tests.factories import make_component, make_org, make_staff
from tests.metrics.helpers import count_points, history_start, make_metric, push
from tests.metrics.synthetic import hourly_orders
from tierline.issues.models import Channel, EventKind, Issue, Status
from tierline.metrics.models import MetricAnomaly, MetricPoint

pytestmark = pytest.mark.django_db
WEEK = 7 * 24
WEDNESDAY = 2 * 24


@pytest.fixture
def pushed(django_capture_on_commit_callbacks):
    def send(metric, times, values):
        for i in range(0, len(times), 1000):
            with django_capture_on_commit_callbacks(execute=True):
                assert push(metric, count_points(times[i:i + 1000], values[i:i + 1000])).status_code == 200

    return send


def test_a_drop_opens_one_issue_and_the_recovery_resolves_it(pushed, api_as, django_assert_max_num_queries):
    org, component = make_org(), make_component()
    metric = make_metric(organization=org, component=component, description="Orders per hour")
    start = history_start(5)
    drop = (4 * WEEK + WEDNESDAY + 10, 4 * WEEK + WEDNESDAY + 20)  # 10:00 to 20:00
    times, values = hourly_orders(5, drop=drop, factor=0.2, start=start)
    pushed(metric, times[:drop[0]], values[:drop[0]])
    assert not Issue.objects.exists()
    assert not MetricPoint.objects.filter(is_outside__isnull=True).exists()

    for i in range(drop[0], drop[1]):  # one point per push, as a live sender would
        pushed(metric, times[i:i + 1], values[i:i + 1])
    issue = Issue.objects.get()
    assert (issue.channel, issue.organization, issue.component) == (Channel.METRIC, org, component)
    assert issue.title.startswith(f"Metric {metric.name}")
    anomaly = MetricAnomaly.objects.get()
    assert anomaly.issue == issue and anomaly.recovered_at is None
    assert times[drop[0]] <= anomaly.started_at <= times[drop[0] + 2]
    event = issue.events.get(kind=EventKind.METRIC_ANOMALY)
    assert event.data["metric"] == metric.name and event.data["value"] < event.data["low"]
    assert api_as(make_staff("support_t1")).get(f"/metrics/{metric.name}").json()["open_anomaly_issue"] == issue.key

    pushed(metric, times[drop[1]:], values[drop[1]:])
    issue.refresh_from_db()
    anomaly.refresh_from_db()
    assert Issue.objects.count() == 1
    assert issue.status == Status.RESOLVED and anomaly.recovered_at is not None
    assert issue.events.filter(kind=EventKind.METRIC_RECOVERED).count() == 1
    anomalies = api_as(make_staff("support_t1")).get(f"/metrics/{metric.name}/anomalies").json()
    assert [(a["issue"], a["recovered_at"] is not None) for a in anomalies] == [(issue.key, True)]


def test_detection_reads_a_bounded_window_per_batch(pushed, django_assert_max_num_queries):
    # Judging one new point costs the same few queries however long the history is.
    metric = make_metric()
    times, values = hourly_orders(8, start=history_start(8))
    pushed(metric, times[:-1], values[:-1])
    from tierline.metrics.actions import do_detect_metric_anomalies, do_record_points

    do_record_points(metric, [{"at": times[-1], "value": values[-1], "successes": None, "attempts": None}])
    with django_assert_max_num_queries(12):
        do_detect_metric_anomalies(metric)
    assert MetricPoint.objects.get(at=times[-1]).is_outside is False


def test_a_manually_resolved_issue_is_not_reopened_and_a_later_drop_opens_a_new_one(pushed):
    from tierline.issues.actions import do_update_issue

    metric = make_metric()
    start = history_start(6)
    first, second = (4 * WEEK + WEDNESDAY + 10, 4 * WEEK + WEDNESDAY + 20), (5 * WEEK + 10, 5 * WEEK + 20)
    times, values = hourly_orders(6, drop=first, factor=0.2, start=start)
    _, later = hourly_orders(6, drop=second, factor=0.2, start=start)
    values = values[:5 * WEEK] + later[5 * WEEK:]
    pushed(metric, times[:first[1]], values[:first[1]])
    issue = Issue.objects.get()
    do_update_issue(issue, actor=None, status=Status.RESOLVED)
    pushed(metric, times[first[1]:], values[first[1]:])
    assert Issue.objects.count() == 2
    assert MetricAnomaly.objects.filter(recovered_at__isnull=False).count() == 2
    assert issue.events.filter(kind=EventKind.METRIC_RECOVERED).count() == 1


def test_a_correction_is_judged_again(pushed, django_capture_on_commit_callbacks):
    metric = make_metric()
    times, values = hourly_orders(3, start=history_start(3))
    pushed(metric, times, values)
    last = times[-12]  # Sunday noon
    with django_capture_on_commit_callbacks(execute=True):
        push(metric, [{"at": last.isoformat(), "value": 0}])
    point = MetricPoint.objects.get(at=last)
    assert point.value == 0 and point.is_outside is True and point.expected > 0
