"""Errors that actions raise and every entry point (API, pages, CLI) turns into a clear answer."""


class ActionError(Exception):
    """Base for errors an action raises on purpose; `status` is the HTTP answer."""

    status = 400

    def __init__(self, detail: str, fields: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.fields = fields or {}


class InvalidInput(ActionError):
    status = 422


class NotFound(ActionError):
    status = 404


class PermissionDenied(ActionError):
    status = 403


class PayloadTooLarge(ActionError):
    status = 413
