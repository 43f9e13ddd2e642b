"""Redaction: nothing sensitive leaves the process.

Two rules, both configurable through `Redactor(names=..., extra_names=...)`:
- values stored under a sensitive name (a variable, attribute, dict key or expression reading
  one): names are compared after lower-casing and removing `_` and `-`, so `API_KEY`, `api-key`
  and `apiKey` all match `apikey`;
- values that look like secrets, wherever they are: card numbers passing the Luhn check, bearer
  tokens and PEM private key blocks.
A redacted captured value keeps its type and size: `{"type": "str", "redacted": true, "size": 40}`.
Expressions are evaluated on real values (so `len(token)` works); only their output is redacted.
Runs on the agent's background thread, on the shapes `_capture.py` produces.
"""
from __future__ import annotations

import re

MARKER = "[REDACTED]"
DEFAULT_NAMES = (
    "password", "passwd", "passphrase", "secret", "token", "apikey", "accesskey", "authorization",
    "auth", "cookie", "session", "privatekey", "cardnumber", "creditcard", "ccnumber", "cvv", "cvc",
    "iban", "ssn", "signature", "csrf", "xsrf", "credentials", "pin",
)
# Short names match only whole, so "pin" does not redact "shipping".
_WHOLE_ONLY = frozenset({"auth", "pin", "cvv", "cvc", "ssn", "iban"})

_FOUR_DIGITS = re.compile(r"\d{4}")
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]{8,}=*")
_PEM = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[\s\S]*)")


def normalize(name: str) -> str:
    return name.lower().replace("_", "").replace("-", "")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = ord(char) - 48
        if index % 2:
            number = number * 2 - 9 if number > 4 else number * 2
        total += number
    return total % 10 == 0


class Redactor:
    def __init__(self, names=DEFAULT_NAMES, extra_names=()):
        all_names = [normalize(n) for n in (*names, *extra_names)]
        self._whole = frozenset(n for n in all_names if n in _WHOLE_ONLY)
        self._parts = tuple(n for n in all_names if n not in _WHOLE_ONLY)
        self._cache: dict[str, bool] = {}

    def is_sensitive(self, name) -> bool:
        if type(name) is not str:
            return False
        found = self._cache.get(name)
        if found is None:
            key = normalize(name)
            found = key in self._whole or any(part in key for part in self._parts)
            if len(self._cache) < 10_000:
                self._cache[name] = found
        return found

    def text(self, text: str) -> str:
        """Scrub secret-looking substrings from free text."""
        if "PRIVATE KEY" in text:
            text = _PEM.sub(MARKER, text)
        if "earer" in text or "EARER" in text:
            text = _BEARER.sub(lambda m: f"{m.group(1)} {MARKER}", text)
        if _FOUR_DIGITS.search(text):  # every card number has a run of at least four digits
            text = _CARD.sub(self._card, text)
        return text

    @staticmethod
    def _card(match: re.Match) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        return MARKER if 13 <= len(digits) <= 19 and luhn_valid(digits) else match.group(0)

    def value(self, captured: dict, name=None) -> dict:
        """Redact a captured value tree in place (it belongs to the agent) and return it, or its
        replacement when `name`, what the value is stored under, is sensitive."""
        if name is not None and self.is_sensitive(name):
            hidden = {"type": captured.get("type"), "redacted": True}
            size = captured.get("size")
            if size is None and type(captured.get("value")) is str:
                size = len(captured["value"])
            if size is not None:
                hidden["size"] = size
            return hidden
        value = captured.get("value")
        if type(value) is str:
            clean = self.text(value)
            if clean != value:
                captured["value"] = clean
                captured["redacted"] = True
            return captured
        entries = captured.get("entries")
        if entries is not None:
            for pair in entries:
                key, item = pair
                pair[0] = self.value(key)
                pair[1] = self.value(item, key.get("value") if type(key) is dict else None)
        items = captured.get("items")
        if items is not None:
            for index, item in enumerate(items):
                items[index] = self.value(item)
        for key in ("fields", "locals", "arguments"):
            if key in captured:
                captured[key] = self.mapping(captured[key])
        if "args" in captured:
            captured["args"] = self.value(captured["args"])
        return captured

    def mapping(self, values: dict) -> dict:
        return {name: self.value(item, name) for name, item in values.items()}

    def snapshot(self, snapshot: dict) -> dict:
        clean = dict(snapshot)
        for key in ("arguments", "locals"):
            if key in clean:
                clean[key] = self.mapping(clean[key])
        for key in ("return", "exception"):
            if key in clean:
                clean[key] = self.value(clean[key])
        if "stack" in clean:
            clean["stack"] = [dict(f, locals=self.mapping(f["locals"])) if "locals" in f else f
                              for f in clean["stack"]]
        return clean
