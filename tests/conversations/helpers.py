"""Chat keys and signed identities for the conversations tests."""

import time

from tierline.conversations.actions import do_create_chat_key
from tierline.conversations.identity import chat_secret, sign_identity


def make_chat_key(organization=None, actor=None):
    return do_create_chat_key(actor=actor, organization=organization, product="Acme Analytics")


def signed_identity(key, organization, *, email="ann@acme.example", user_id="u-42", expires_in=600,
                    name="Ann Example", secret=None, **claims):
    payload = {"user_id": user_id, "email": email, "organization": organization.pk,
               "exp": int(time.time()) + expires_in, "name": name, **claims}
    return sign_identity(key.key_id, secret or chat_secret(key.key_id, key.secret_salt), payload)
