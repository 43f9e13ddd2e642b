"""Phone numbers as people and providers write them, read with Google's libphonenumber
(`phonenumbers`): one normal form (E.164) to match callers to contacts, and a masked form to
show (a phone number is personal data; see customers/sensitivity.py)."""

import phonenumbers
from django.conf import settings

from tierline.customers.sensitivity import MASK

MAX_NUMBER = 64


def normalise_number(raw: str, region: str | None = None) -> str | None:
    """`+1 (415) 555-0100`, `415 555 0100` (in the default region) -> `+14155550100`; None for
    what is no phone number (`anonymous`, `client:alice`, garbage)."""
    raw = (raw or "").strip()
    if not raw or len(raw) > MAX_NUMBER:
        return None
    try:
        number = phonenumbers.parse(raw, region or settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_number(number: str) -> str:
    """Enough to recognise a caller (the last four digits), not enough to call them."""
    digits = [c for c in number or "" if c.isdigit()]
    return f"{MASK}{''.join(digits[-4:])}" if len(digits) > 4 else (MASK if number else "")
