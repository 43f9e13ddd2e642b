"""Which fields are sensitive, and how a value is shown.

Every profile and configuration value has a dotted path (`contacts.3.email`,
`configuration.smtp.password`, `environment.runtime`). Admin overrides (`SensitivityRule`)
are tried first, most specific pattern first, then the built-in rules below; the first match
decides. What no rule matches is internal: staff see it, it is not personal.
"""

import hmac
from fnmatch import fnmatchcase
from hashlib import sha256

from django.conf import settings

from .models import Sensitivity, SensitivityRule

# Built-in rules, matched against the lower-cased path. Secrets first: `smtp_password_email`
# is a secret even though it mentions email.
BUILTIN_RULES: tuple[tuple[str, str], ...] = (
    ("*password*", Sensitivity.SECRET), ("*passwd*", Sensitivity.SECRET), ("*secret*", Sensitivity.SECRET),
    ("*token*", Sensitivity.SECRET), ("*api_key*", Sensitivity.SECRET), ("*apikey*", Sensitivity.SECRET),
    ("*private_key*", Sensitivity.SECRET), ("*credential*", Sensitivity.SECRET),
    ("*connection_string*", Sensitivity.SECRET), ("*dsn*", Sensitivity.SECRET),
    ("contacts.*", Sensitivity.PERSONAL),
    ("*email*", Sensitivity.PERSONAL), ("*phone*", Sensitivity.PERSONAL), ("*address*", Sensitivity.PERSONAL),
    ("*first_name*", Sensitivity.PERSONAL), ("*last_name*", Sensitivity.PERSONAL),
    ("*full_name*", Sensitivity.PERSONAL), ("*birth*", Sensitivity.PERSONAL),
    ("organization.name", Sensitivity.PUBLIC), ("organization.plan", Sensitivity.PUBLIC),
)

MASK = "••••••"
SECRET_SHOWN = "[secret]"


class Classifier:
    """Classifies paths with the rules as they are when it is made (one query for the overrides)."""

    def __init__(self, overrides: list[tuple[str, str]] | None = None):
        if overrides is None:
            overrides = list(SensitivityRule.objects.values_list("pattern", "sensitivity"))
        # More specific first: longer patterns with fewer wildcards.
        self.rules = sorted(((p.lower(), s) for p, s in overrides),
                            key=lambda rule: (rule[0].count("*"), -len(rule[0]))) + list(BUILTIN_RULES)

    def classify(self, path: str) -> str:
        path = path.lower()
        for pattern, sensitivity in self.rules:
            if fnmatchcase(path, pattern):
                return sensitivity
        return Sensitivity.INTERNAL

    def show(self, path: str, value, *, unmasked: bool = False):
        """The value as a reader may see it: secrets never, personal values only when unmasked."""
        sensitivity = self.classify(path)
        if sensitivity == Sensitivity.SECRET:
            return SECRET_SHOWN
        if sensitivity == Sensitivity.PERSONAL and not unmasked and value not in (None, ""):
            return MASK
        return value


def secret_fingerprint(value) -> str:
    """A keyed hash that tells a changed secret from an unchanged one without keeping it."""
    digest = hmac.new(settings.SECRET_KEY.encode(), repr(value).encode(), sha256).hexdigest()
    return f"fingerprint:{digest[:16]}"
