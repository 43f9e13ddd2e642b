"""Outgoing webhooks never post into the server's own network by default: a private or local address
is refused when the endpoint is saved and again at every attempt (a name can be repointed later)."""

import pytest

from tests.factories import make_staff
from tierline.notify.delivery import post
from tierline.notify.webhooks import refused_destination

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def real_rule(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hook", "http://localhost/hook", "http://10.1.2.3/hook",
                                 "http://169.254.169.254/latest/meta-data", "http://[::1]/hook",
                                 "http://192.168.0.10/hook"])
def test_an_endpoint_on_a_private_address_is_refused_with_a_clear_error(api_as, url):
    api = api_as(make_staff("admin"))
    refused = api.post("/webhooks", {"name": "Inside", "url": url, "events": ["issue.created"]})
    assert refused.status_code == 422 and "public address" in refused.json()["fields"]["url"]


def test_a_name_repointed_to_a_private_address_is_refused_at_delivery_and_nothing_is_sent(monkeypatch):
    import socket

    real = socket.getaddrinfo

    def dns(host, *args, **kwargs):  # hooks.example is saved as public, then its record changes
        if host == "hooks.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 443)),
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", dns)
    assert "resolves to 10.0.0.5" in refused_destination("hooks.example", 443)
    outcome = post("https://hooks.example/hook", b"{}", {}, timeout=1)
    assert outcome.status_code is None and "not a public address" in outcome.error
    assert "resolves to 127.0.0.1" in refused_destination("localhost", 80)


def test_allowing_private_addresses_lets_an_in_house_receiver_be_used(settings, api_as):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    assert refused_destination("localhost", 80) is None
    api = api_as(make_staff("admin"))
    created = api.post("/webhooks", {"name": "In house", "url": "http://127.0.0.1:8000/hook",
                                     "events": ["issue.created"]})
    assert created.status_code == 201
