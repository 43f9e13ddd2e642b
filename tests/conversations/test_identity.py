"""Signed widget identities: only a valid, unexpired signature by the organization's key counts."""

import time

import pytest

from tests.conversations.helpers import make_chat_key, signed_identity
from tests.factories import make_org
from tierline.conversations.actions import do_rotate_chat_key
from tierline.conversations.identity import IdentityRefused, chat_secret, sign_identity, verify_identity


@pytest.fixture
def key(org):
    return make_chat_key(org)


def test_a_valid_identity_names_the_user_and_organization(org, key):
    identity = verify_identity(signed_identity(key, org, email="Ann@Acme.example"))
    assert (identity.organization, identity.email, identity.user_id, identity.name) == (
        org, "ann@acme.example", "u-42", "Ann Example")


def test_an_expired_identity_is_refused(org, key):
    with pytest.raises(IdentityRefused, match="expired"):
        verify_identity(signed_identity(key, org, expires_in=-1))


def test_an_expiry_far_in_the_future_is_refused(org, key):
    with pytest.raises(IdentityRefused, match="too far"):
        verify_identity(signed_identity(key, org, expires_in=10 * 24 * 3600))


def test_a_forged_signature_is_refused(org, key):
    forged = signed_identity(key, org, secret="tlc_guessed")
    with pytest.raises(IdentityRefused, match="signature"):
        verify_identity(forged)


def test_changed_claims_break_the_signature(org, key):
    token = signed_identity(key, org)
    other = signed_identity(key, org, email="boss@acme.example")
    key_id, _, signature = token.split(".")
    tampered = f"{key_id}.{other.split('.')[1]}.{signature}"
    with pytest.raises(IdentityRefused, match="signature"):
        verify_identity(tampered)


def test_an_organization_key_cannot_sign_for_another_organization(org, other_org, key):
    with pytest.raises(IdentityRefused, match="another organization"):
        verify_identity(signed_identity(key, other_org))


def test_a_product_key_signs_for_any_organization(org, other_org):
    key = make_chat_key(None)
    assert verify_identity(signed_identity(key, other_org)).organization == other_org
    with pytest.raises(IdentityRefused, match="unknown organization"):
        verify_identity(sign_identity(key.key_id, chat_secret(key.key_id, key.secret_salt),
                                      {"user_id": "u", "email": "a@b.example", "organization": 999999,
                                       "exp": int(time.time()) + 60}))


def test_rotating_a_key_invalidates_its_identities(org, key):
    token = signed_identity(key, org)
    do_rotate_chat_key(key, actor=None)
    with pytest.raises(IdentityRefused, match="signature"):
        verify_identity(token)


@pytest.mark.parametrize("token", ["", "garbage", "a.b", "tlk_x.e30.00", "x" * 5000, None, 42])
def test_malformed_identities_are_refused(db, token):
    with pytest.raises(IdentityRefused):
        verify_identity(token)


@pytest.mark.parametrize("claims", [
    {"email": "a@acme.example", "exp": "soon"},
    {"user_id": "", "email": "a@acme.example"},
    {"user_id": "u", "email": "not-an-address"},
    {"user_id": "u", "email": "a@acme.example", "organization": True},
])
def test_invalid_claims_are_refused_even_when_signed(org, key, claims):
    payload = {"user_id": "u", "organization": org.pk, "exp": int(time.time()) + 60, **claims}
    with pytest.raises(IdentityRefused):
        verify_identity(sign_identity(key.key_id, chat_secret(key.key_id, key.secret_salt), payload))


def test_secrets_are_derived_not_stored(org, key):
    secret = chat_secret(key.key_id, key.secret_salt)
    assert secret.startswith("tlc_")
    assert all(secret not in str(value) for value in key.__dict__.values())
    assert make_org() is not None
