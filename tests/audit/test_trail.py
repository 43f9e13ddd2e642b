"""The audit trail: entries the actions write, the hash chain, and verification."""

import pytest
from django.db import connection

from tests.factories import make_org, make_staff, make_team
from tierline.accounts.actions import do_create_api_token, do_revoke_api_token, do_set_team_members, do_update_user
from tierline.audit.actions import do_record_audit
from tierline.audit.chain import GENESIS, verify_chain
from tierline.audit.models import AppendOnlyError, AuditEntry
from tierline.cli import main
from tierline.customers.actions import do_update_organization

pytestmark = pytest.mark.django_db


def test_entries_form_a_chain_that_verifies():
    first = do_record_audit(action="test.first", reason="because", data={"n": 1})
    second = do_record_audit(action="test.second")
    assert first.prev_hash == GENESIS and second.prev_hash == first.entry_hash
    report = verify_chain()
    assert report.is_intact and report.checked == AuditEntry.objects.count()


def test_the_application_cannot_change_or_delete_entries():
    entry = do_record_audit(action="test.kept")
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def _sql(statement, *params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_a_changed_entry_breaks_the_chain(capsys):
    do_record_audit(action="test.one")
    victim = do_record_audit(action="test.two", reason="looked at emails for TL-1")
    do_record_audit(action="test.three")
    _sql("UPDATE audit_auditentry SET reason = %s WHERE id = %s", "nothing to see", victim.pk)
    report = verify_chain()
    assert not report.is_intact
    assert any(f"entry {victim.pk}: contents changed" in p for p in report.problems)
    assert main(["audit", "verify"]) == 2
    assert f"entry {victim.pk}" in capsys.readouterr().out


def test_a_removed_entry_breaks_the_chain():
    do_record_audit(action="test.one")
    middle = do_record_audit(action="test.two")
    after = do_record_audit(action="test.three")
    _sql("DELETE FROM audit_auditentry WHERE id = %s", middle.pk)
    report = verify_chain()
    assert any(f"entry {after.pk}: does not follow" in p for p in report.problems)


def test_cutting_off_the_end_is_noticed():
    do_record_audit(action="test.one")
    last = do_record_audit(action="test.two")
    _sql("DELETE FROM audit_auditentry WHERE id = %s", last.pk)
    assert "the last entries of the trail are missing" in verify_chain().problems


def test_verify_command_reports_an_intact_trail(capsys):
    do_record_audit(action="test.one")
    assert main(["audit", "verify"]) == 0
    assert "audit trail intact" in capsys.readouterr().out


def test_token_creation_and_revocation_are_recorded():
    admin, engineer = make_staff("admin"), make_staff("engineer_t4")
    token, _ = do_create_api_token(engineer, name="ci", actor=admin)
    do_revoke_api_token(token, actor=admin)
    created, revoked = AuditEntry.objects.filter(target_id=token.prefix).order_by("id")
    assert (created.action, created.actor, created.data["user"]) == ("token.created", admin, engineer.email)
    assert (revoked.action, revoked.actor) == ("token.revoked", admin)


def test_role_changes_and_team_membership_are_recorded():
    admin, user = make_staff("admin"), make_staff("support_t1")
    do_update_user(user, role="support_t2", actor=admin)
    entry = AuditEntry.objects.filter(action="user.changed").last()
    assert entry.data == {"role": ["support_t1", "support_t2"]} and entry.actor == admin
    do_update_user(user, name="Same role")  # no permission change: nothing recorded
    assert AuditEntry.objects.filter(action="user.changed").count() == 1
    team = make_team("Platform", tier=4)
    do_set_team_members(team, [user], actor=admin)
    entry = AuditEntry.objects.filter(action="team.members_changed").last()
    assert entry.data == {"added": [user.pk], "removed": []}


def test_organization_changes_are_recorded_with_before_and_after():
    admin = make_staff("admin")
    org = make_org(name="Initech", importance="standard")
    do_update_organization(org, importance="strategic", actor=admin)
    entry = AuditEntry.objects.filter(action="organization.changed").last()
    assert entry.organization == org and entry.data == {"importance": ["standard", "strategic"]}


def test_the_request_origin_is_recorded(client):
    from tierline.audit.context import RequestOrigin, _origin

    token = _origin.set(RequestOrigin(ip_address="203.0.113.9", user_agent="curl/8"))
    try:
        entry = do_record_audit(action="test.origin")
    finally:
        _origin.reset(token)
    assert (entry.ip_address, entry.user_agent) == ("203.0.113.9", "curl/8")


def test_changes_made_in_the_admin_site_are_recorded_with_the_admin(client):
    from tierline.customers.models import SensitivityRule

    admin, user = make_staff("admin"), make_staff("support_t1", name="Sam")
    client.force_login(admin)
    response = client.post(f"/admin/accounts/user/{user.pk}/change/",
                           {"name": "Sam", "role": "operations_t3", "is_active": "on"})
    assert response.status_code == 302, response.content[:500]
    entry = AuditEntry.objects.filter(action="user.changed").last()
    assert entry.actor == admin and entry.data == {"role": ["support_t1", "operations_t3"]}
    response = client.post("/admin/customers/sensitivityrule/add/",
                           {"pattern": "configuration.billing.*", "sensitivity": "secret"})
    assert response.status_code == 302, response.content[:500]
    assert SensitivityRule.objects.get().sensitivity == "secret"
    assert AuditEntry.objects.filter(action="sensitivity.changed").last().actor == admin
