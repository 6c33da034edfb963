"""One error shape: ``application/problem+json`` (RFC 9457) with a stable ``code``.

Services raise ``DomainError`` children; HTTP, validation, JWT and rate-limit
errors are mapped here too, so clients learn one format.
"""
import logging

from flask import current_app, json
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"


class DomainError(Exception):
    status = 400
    code = "bad_request"
    title = "Bad request"
    #: commit what the service flushed before refusing (e.g. a failed PIN try)
    commit = False

    def __init__(self, detail=None, *, code=None, errors=None, status=None, title=None, commit=False):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if code:
            self.code = code
        if status:
            self.status = status
        if title:
            self.title = title
        self.errors = errors
        self.commit = commit


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    title = "Validation failed"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict"


class Locked(DomainError):
    status = 423
    code = "locked"
    title = "Locked"


#: stable codes for plain HTTP errors
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    500: "internal_error",
}


def problem(status, code, title, detail=None, errors=None, headers=None):
    body = {
        "type": f"https://chengxin.example/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail or title,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _flatten_validation(messages):
    """webargs nests errors by location ({"json": {...}}); clients want fields."""
    if not isinstance(messages, dict):
        return {"_schema": messages}
    merged = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            merged.update(fields)
        else:
            merged[location] = fields
    return merged


def handle_domain_error(error):
    return problem(error.status, error.code, error.title, error.detail, error.errors)


def handle_http_exception(error):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    code = HTTP_CODES.get(status, "http_error")
    title = error.name
    detail = data.get("message") or error.description
    errors = None
    if messages:
        errors = _flatten_validation(messages)
        if status == 400 and "json" in messages and isinstance(messages["json"], list):
            code, detail, errors = "malformed_json", "The request body is not valid JSON.", None
    if status == 429:
        detail = f"Too many requests: {error.description}"
    headers = data.get("headers") or {}
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem(status, code, title, detail, errors, headers)


def handle_unexpected(error):
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    log.exception("unhandled error")
    return problem(500, "internal_error", "Internal error", "Something went wrong; it has been logged.")


def handle_integrity_error(error):
    """A unique or check constraint caught what the service did not: the request
    raced another one. The transaction is already rolled back; say so plainly."""
    log.warning("integrity error: %s", error.orig)
    return problem(409, "conflict", "Conflict", "The request conflicts with the current state; retry it.")


def handle_operational_error(error):
    log.warning("database unavailable: %s", error.orig)
    return problem(503, "database_unavailable", "Service unavailable", "The database is busy or unreachable.",
                   headers={"Retry-After": "2"})


def handle_out_of_range(error):
    """A number too large for the database (an id of 2**63 or more) reached a query: bad input, not a fault."""
    log.info("value out of range: %s", error)
    return problem(422, "value_out_of_range", "Validation failed",
                   "数值超出范围或文本过长。A value in the request is out of range or too long.")


def register_error_handlers(app):
    from sqlalchemy.exc import DataError, IntegrityError, OperationalError

    app.register_error_handler(OverflowError, handle_out_of_range)
    app.register_error_handler(DataError, handle_out_of_range)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(OperationalError, handle_operational_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
