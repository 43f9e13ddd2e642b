"""Keyset (cursor) pagination shared by every list: the cursor carries the sort values of the
last row shown, so a deep page costs the same as the first one.

An ordering is a tuple of (field, descending) pairs whose last field is unique (the id).
"""

import base64
import json
from datetime import datetime

from django.db.models import Q, QuerySet

from tierline.errors import InvalidInput

Ordering = tuple[tuple[str, bool], ...]
BY_ID: Ordering = (("id", False),)


def encode_cursor(row, ordering: Ordering) -> str:
    values = []
    for name, _ in ordering:
        value = getattr(row, name)
        values.append(value.isoformat() if isinstance(value, datetime) else value)
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, ordering: Ordering) -> list:
    """The sort values in a cursor; a cursor that was not made for this ordering is a 422."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(ordering):
            raise ValueError
        decoded = []
        for (name, _), value in zip(ordering, values, strict=True):
            if name.endswith("_at"):
                decoded.append(datetime.fromisoformat(value))
            elif isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63:
                decoded.append(value)
            else:
                raise ValueError
        return decoded
    except (ValueError, TypeError, UnicodeDecodeError):
        raise InvalidInput("Invalid cursor", {"cursor": "not a cursor from this list"}) from None


def rows_after(ordering: Ordering, values: list) -> Q:
    """Rows strictly after `values` in the ordering, as nested OR/AND conditions.

    The extra bound on the leading field is implied by the rest, but it is what lets the
    database walk the index from the cursor instead of filtering every row before it."""
    condition = Q()
    for i in reversed(range(len(ordering))):
        name, descending = ordering[i]
        beyond = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[i]})
        condition = beyond if i == len(ordering) - 1 else beyond | (Q(**{name: values[i]}) & condition)
    lead, descending = ordering[0]
    return Q(**{f"{lead}__{'lte' if descending else 'gte'}": values[0]}) & condition


def paginate(rows: QuerySet, ordering: Ordering, *, cursor: str | None, limit: int,
             max_limit: int = 100) -> tuple[list, str | None]:
    """One page of `rows` in `ordering`, and the cursor of the next page (None on the last)."""
    if not 1 <= limit <= max_limit:
        raise InvalidInput("Invalid limit", {"limit": f"1 to {max_limit}"})
    if cursor:
        rows = rows.filter(rows_after(ordering, decode_cursor(cursor, ordering)))
    order_by = [f"-{name}" if descending else name for name, descending in ordering]
    page = list(rows.order_by(*order_by)[: limit + 1])
    next_cursor = encode_cursor(page[limit - 1], ordering) if len(page) > limit else None
    return page[:limit], next_cursor
