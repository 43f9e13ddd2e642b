import pytest

from tests.factories import make_org
from tierline.accounts.actions import hash_token
from tierline.accounts.models import ApiToken, User
from tierline.cli import main

pytestmark = pytest.mark.django_db


def test_user_create_with_role_and_org(capsys):
    make_org(name="Acme")
    assert main(["user", "create", "maya@acme.example", "--role", "customer", "--org", "acme"]) == 0
    out = capsys.readouterr().out
    user = User.objects.get(email="maya@acme.example")
    assert (user.role, user.organization.name) == ("customer", "Acme")
    password = out.split("password: ")[1].strip()
    assert user.check_password(password)


def test_user_create_refuses_unknown_role_and_org(capsys):
    assert main(["user", "create", "x@y.example", "--role", "wizard"]) == 2
    assert "Unknown role" in capsys.readouterr().err
    assert main(["user", "create", "x@y.example", "--role", "customer", "--org", "Nowhere"]) == 2
    assert not User.objects.filter(email="x@y.example").exists()


def test_token_is_printed_once_and_only_its_hash_is_stored(capsys):
    main(["user", "create", "dev@tierline.example", "--role", "engineer_t4", "--password", "long-enough-pw"])
    capsys.readouterr()
    assert main(["token", "create", "dev@tierline.example"]) == 0
    secret = capsys.readouterr().out.strip()
    token = ApiToken.objects.get()
    assert token.token_hash == hash_token(secret)
    assert secret not in {token.prefix, token.token_hash, token.name}
    assert main(["token", "revoke", token.prefix]) == 0
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_org_and_team_create(capsys):
    assert main(["org", "create", "Globex", "--domain", "globex.example", "--importance", "key"]) == 0
    assert main(["team", "create", "Platform", "--tier", "4"]) == 0
    assert main(["team", "create", "Nowhere", "--tier", "9"]) == 2
