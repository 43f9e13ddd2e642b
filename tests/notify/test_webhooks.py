import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.factories import make_contact, make_issue, make_org, make_staff
from tierline.audit.models import AuditEntry
from tierline.errors import InvalidInput
from tierline.issues.actions import IssueDraft, do_add_comment, do_create_issues, do_update_issue
from tierline.issues.models import Status
from tierline.notify.delivery import BACKOFF, do_deliver_due_webhooks, post
from tierline.notify.models import WebhookDelivery
from tierline.notify.webhooks import (
    do_create_webhook,
    do_delete_webhook,
    do_rotate_webhook_secret,
    do_send_test_event,
    do_update_webhook,
)


@pytest.fixture
def admin(db):
    return make_staff("admin")


@pytest.fixture
def hook(admin, receiver):
    def create(events=("issue.created", "issue.resolved", "issue.commented"), format="json"):
        endpoint, secret = do_create_webhook(actor=admin, name="Ops bus", url=receiver.url, events=list(events),
                                             format=format)
        receiver.secret = secret
        return endpoint

    return create


def test_an_issue_event_becomes_a_signed_delivery_the_worker_sends(hook, receiver):
    endpoint = hook()
    org = make_org(name="Acme")
    issue = make_issue(org, title="Exports fail", requester=make_contact(org, email="pat@acme.example"))
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.event, delivery.issue_id, delivery.status) == ("issue.created", issue.pk, "pending")
    assert do_deliver_due_webhooks() == 1
    [got] = receiver.received
    assert got.signature_ok and got.path == "/hooks/tierline"
    assert got.headers["X-Tierline-Event"] == "issue.created" and got.headers["X-Tierline-Timestamp"].isdigit()
    body = json.loads(got.body)
    assert body["event"] == "issue.created" and body["issue"]["key"] == issue.key
    assert body["issue"]["organization"]["name"] == "Acme" and body["issue"]["title"] == "Exports fail"
    assert b"pat@acme.example" not in got.body  # no requester's address leaves with it
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_only_subscribed_events_of_active_endpoints_are_queued(hook, admin):
    endpoint = hook(events=["issue.resolved"])
    issue = make_issue(make_org())
    do_update_issue(issue, actor=admin, status=Status.OPEN)  # a status change, not a resolution
    assert not WebhookDelivery.objects.exists()
    do_update_issue(issue, actor=admin, status=Status.RESOLVED)
    assert list(WebhookDelivery.objects.values_list("event", flat=True)) == ["issue.resolved"]
    do_update_webhook(endpoint, actor=admin, is_active=False)
    do_update_issue(issue, actor=admin, status=Status.OPEN)
    do_update_issue(issue, actor=admin, status=Status.RESOLVED)
    assert WebhookDelivery.objects.count() == 1


def test_internal_notes_are_never_sent(hook, admin):
    hook(events=["issue.commented"])
    issue = make_issue(make_org())
    do_add_comment(issue, body="internal only", is_public=False, author=admin)
    assert not WebhookDelivery.objects.exists()
    do_add_comment(issue, body="We are on it", is_public=True, author=admin)
    assert WebhookDelivery.objects.get().event == "issue.commented"


def test_a_rolled_back_event_leaves_no_delivery(hook):
    hook()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_issue(make_org())
        raise RuntimeError("the action failed after the event")
    assert not WebhookDelivery.objects.exists()


def test_bulk_created_issues_are_queued_too(hook):
    hook(events=["issue.created"])
    org = make_org()
    do_create_issues([IssueDraft(title=f"Alert {n}", organization_id=org.pk) for n in range(3)])
    assert WebhookDelivery.objects.filter(event="issue.created").count() == 3


def test_an_event_nobody_subscribed_to_costs_no_query(admin):
    issue = make_issue(make_org())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        do_update_issue(issue, actor=admin, status=Status.OPEN)
    assert not any("notify_" in q["sql"] for q in queries.captured_queries)


def test_a_failing_endpoint_is_retried_with_backoff_then_failed(hook, receiver):
    hook(events=["issue.created"])
    make_issue(make_org())
    receiver.answers = [500] * (len(BACKOFF) + 1)
    now = timezone.now()
    do_deliver_due_webhooks(now=now)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at == now + timedelta(seconds=10)
    assert do_deliver_due_webhooks(now=now + timedelta(seconds=5)) == 0  # not due yet
    for wait in BACKOFF:
        now += timedelta(seconds=wait)
        assert do_deliver_due_webhooks(now=now) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", len(BACKOFF) + 1, None)
    assert sum(BACKOFF) < 86400 * 1.1
    bodies = {r.body for r in receiver.received}
    assert len(bodies) == 1  # every attempt sends the same signed bytes


def test_a_retry_succeeds_after_failures(hook, receiver):
    hook(events=["issue.created"])
    make_issue(make_org())
    receiver.answers = [503, 503]
    now = timezone.now()
    for step in (0, 10, 70):
        do_deliver_due_webhooks(now=now + timedelta(seconds=step))
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert all(r.signature_ok for r in receiver.received)


def test_a_rotated_secret_signs_from_then_on(hook, receiver, admin):
    endpoint = hook(events=["issue.created"])
    old = receiver.secret
    new = do_rotate_webhook_secret(endpoint, actor=admin)
    assert new != old
    make_issue(make_org())
    do_deliver_due_webhooks()
    assert receiver.received[-1].signature_ok is False  # the receiver still holds the old secret
    receiver.secret = new
    do_deliver_due_webhooks(now=timezone.now() + timedelta(seconds=11))
    assert receiver.received[-1].signature_ok is True


def test_the_slack_format_is_text_and_blocks(hook, receiver):
    hook(events=["issue.created"], format="slack")
    issue = make_issue(make_org(name="Acme <Labs>"), title="Login <script> & co")
    do_deliver_due_webhooks()
    body = json.loads(receiver.received[0].body)
    assert set(body) == {"text", "blocks"} and body["text"] == f"New issue: {issue.key} Login <script> & co"
    section = body["blocks"][0]["text"]["text"]
    assert f"|{issue.key}>" in section and "&lt;script&gt; &amp; co" in section
    assert "Acme &lt;Labs&gt;" in body["blocks"][1]["elements"][0]["text"]


def test_a_test_event_reaches_even_an_inactive_endpoint(hook, receiver, admin):
    endpoint = hook()
    do_update_webhook(endpoint, actor=admin, is_active=False)
    do_send_test_event(endpoint, actor=admin)
    do_deliver_due_webhooks()
    assert json.loads(receiver.received[0].body)["event"] == "ping"
    assert WebhookDelivery.objects.get().status == "delivered"


def test_redirects_are_not_followed(hook, receiver):
    hook(events=["issue.created"])
    make_issue(make_org())
    receiver.answers = ["redirect"]
    do_deliver_due_webhooks()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == ("pending", 302,
                                                                                 "redirect not followed")
    assert len(receiver.received) == 1


def test_a_slow_or_endless_answer_is_cut_short(receiver):
    receiver.answers = ["slow"]  # a 200 whose body trickles: taken, without waiting for the rest
    started = timezone.now()
    outcome = post(receiver.url, b"{}", {}, timeout=0.5)
    assert (timezone.now() - started).total_seconds() < 1.5 and outcome.status_code == 200
    receiver.answers = ["stall"]
    started = timezone.now()
    outcome = post(receiver.url, b"{}", {}, timeout=0.5)
    assert (timezone.now() - started).total_seconds() < 1.5
    assert not outcome.is_delivered and "timed out" in outcome.error
    receiver.answers = ["huge"]
    receiver.secret = ""
    assert post(receiver.url, b"{}", {}, timeout=2, max_bytes=1024).is_delivered  # read 1 KiB, no more


def test_an_endpoint_that_is_not_listening_is_an_error_not_a_crash(db):
    outcome = post("http://127.0.0.1:9/nothing", b"{}", {}, timeout=1)
    assert outcome.status_code is None and outcome.error


@pytest.mark.parametrize("url", ["ftp://hooks.example/x", "file:///etc/passwd", "javascript:alert(1)",
                                 "https://user:pw@hooks.example/x", "hooks.example/x", ""])
def test_only_http_urls_without_credentials_are_taken(admin, url):
    with pytest.raises(InvalidInput) as refused:
        do_create_webhook(actor=admin, name="Bad", url=url, events=["issue.created"])
    assert "url" in refused.value.fields


def test_endpoint_changes_are_audited_and_the_secret_never_is(hook, admin):
    endpoint = hook()
    do_update_webhook(endpoint, actor=admin, events=["issue.resolved"])
    do_rotate_webhook_secret(endpoint, actor=admin)
    do_delete_webhook(endpoint, actor=admin)
    actions = list(AuditEntry.objects.filter(target_type="notify.webhookendpoint").order_by("id")
                   .values_list("action", flat=True))
    assert actions == ["webhook.created", "webhook.changed", "webhook.secret_rotated", "webhook.removed"]
    assert not any("tlw_" in json.dumps(e.data) for e in AuditEntry.objects.all())


def test_another_process_changing_the_endpoints_is_seen_without_redis(admin, settings):
    from tierline.notify.webhooks import STAMP_FILE, remember_subscriptions, subscribed_events

    assert subscribed_events() == frozenset()
    do_create_webhook(actor=admin, name="Elsewhere", url="https://hooks.example/", events=["issue.created"])
    remember_subscriptions([])  # this process still believes nobody subscribed...
    (settings.DATA_DIR / STAMP_FILE).touch()  # ...until the other process's commit marks the change
    assert subscribed_events() == {"issue.created"}
