import pytest

from tests.factories import make_issue, make_org, make_staff

pytestmark = pytest.mark.django_db


def test_issue_page_shows_explanation_and_override(client):
    issue = make_issue(make_org(importance="standard"), severity=2, title="Export fails")
    client.force_login(make_staff("support_t2"))
    page = client.get(f"/desk/issues/{issue.key}/").content.decode()
    assert "P2: S2 for a standard customer" in page and "Override priority" in page
    refused = client.post(f"/desk/issues/{issue.key}/priority", {"priority": "0", "reason": ""})
    assert refused.status_code == 422 and "needs a reason" in refused.content.decode()
    client.post(f"/desk/issues/{issue.key}/priority", {"priority": "0", "reason": "Key demo tomorrow"})
    page = client.get(f"/desk/issues/{issue.key}/").content.decode()
    assert "Overridden to <strong>P0</strong> (computed P2)" in page
    assert "overrode priority to P0: Key demo tomorrow" in page


def test_tier_one_cannot_override(client):
    issue = make_issue(make_org())
    client.force_login(make_staff("support_t1"))
    assert "Override priority" not in client.get(f"/desk/issues/{issue.key}/").content.decode()
    assert client.post(f"/desk/issues/{issue.key}/priority", {"priority": "0", "reason": "x"}).status_code == 403


def test_triage_queue_page(client):
    make_issue(title="Orphan report")
    client.force_login(make_staff())
    assert "Orphan report" in client.get("/desk/triage/").content.decode()
