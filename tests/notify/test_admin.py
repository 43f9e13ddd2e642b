import pytest

from tests.factories import make_staff
from tierline.audit.models import AuditEntry
from tierline.notify.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_admins_add_change_test_and_delete_webhooks_through_the_actions(client):
    client.force_login(make_staff("admin"))
    refused = client.post("/admin/notify/webhookendpoint/add/", {
        "name": "Chat", "url": "ftp://hooks.example/x", "events": ["issue.created"], "format": "slack"})
    assert refused.status_code == 200 and not WebhookEndpoint.objects.exists()
    added = client.post("/admin/notify/webhookendpoint/add/", {
        "name": "Chat", "url": "https://hooks.example/x", "events": ["issue.created", "issue.resolved"],
        "format": "slack", "is_active": "on"}, follow=True)
    assert "shown this once" in added.content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["issue.created", "issue.resolved"] and endpoint.salt
    client.post(f"/admin/notify/webhookendpoint/{endpoint.pk}/change/", {
        "name": "Chat", "url": "https://hooks.example/y", "events": ["issue.resolved"], "format": "json"})
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.is_active) == ("https://hooks.example/y", ["issue.resolved"], False)
    client.post("/admin/notify/webhookendpoint/", {"action": "send_test_event", "_selected_action": [endpoint.pk]})
    assert WebhookDelivery.objects.get().event == "ping"
    assert client.get("/admin/notify/webhookdelivery/").status_code == 200
    client.post(f"/admin/notify/webhookendpoint/{endpoint.pk}/delete/", {"post": "yes"})
    assert not WebhookEndpoint.objects.exists()
    assert list(AuditEntry.objects.filter(action__startswith="webhook.").order_by("id")
                .values_list("action", flat=True)) == ["webhook.created", "webhook.changed", "webhook.removed"]
