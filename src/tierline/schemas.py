"""API schemas shared by every router."""

from ninja import Schema


class ErrorOut(Schema):
    detail: str
    fields: dict[str, str] = {}


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut}
