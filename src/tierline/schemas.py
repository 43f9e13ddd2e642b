"""API schemas shared by every router."""

from datetime import date
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, StrictStr


def _iso_date_only(value):
    # pydantic would read a number as seconds since 1970; a date in this API is "YYYY-MM-DD".
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL characters: refuse them here rather than fail on save.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# A string from a request body, stored as text: strict (no numbers) and without NUL characters.
Text = Annotated[StrictStr, AfterValidator(_no_nul)]
# A row id: databases store 64-bit integers, and a larger number must be a 422, not an overflow.
RowId = Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]
# The same in a query string, where every value is text: "42" is the id 42 there.
QueryRowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ErrorOut(Schema):
    detail: str
    fields: dict[str, str] = {}


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut}


def referenced_row(model, pk, field: str, **conditions):
    """The row a request body names by id (`team_id`, ...), None for no id, a 422 naming the field
    when no such row exists."""
    from tierline.errors import InvalidInput

    if pk is None:
        return None
    row = model.objects.filter(pk=pk, **conditions).first()
    if row is None:
        raise InvalidInput(f"Unknown {field.removesuffix('_id')}", {field: "does not exist"})
    return row
