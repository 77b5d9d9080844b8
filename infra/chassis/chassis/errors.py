"""Errors a client can cause, each with the HTTP status it becomes. Domain exceptions subclass these."""
from __future__ import annotations

from typing import Any


class ClientError(Exception):
    """Raised when a request cannot be carried out because of what the client sent."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message, self.details = message, details

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.details}


class RuleBroken(ClientError):
    """Raised when a command breaks a business rule; ``rule`` names it. Nothing is stored."""

    status, code = 422, "rule_broken"

    def __init__(self, rule: str, message: str, **details: Any) -> None:
        super().__init__(message, rule=rule, **details)


class NotFound(ClientError):
    """Raised when the addressed resource does not exist (or is not visible to the caller)."""

    status, code = 404, "not_found"


class Conflict(ClientError):
    """Raised when an idempotency key is reused with another body, or a concurrent write won."""

    status, code = 409, "conflict"


class Forbidden(ClientError):
    """Raised when the caller is authenticated but not allowed to do this."""

    status, code = 403, "forbidden"


class Unauthenticated(ClientError):
    """Raised when the caller did not prove who it is."""

    status, code = 401, "unauthenticated"


class LengthRequired(ClientError):
    """Raised for a body sent without a length (chunked): it is not read, rather than read as empty."""

    status, code = 411, "length_required"


class PayloadTooLarge(ClientError):
    """Raised when a body exceeds the size or nesting limit."""

    status, code = 413, "payload_too_large"
