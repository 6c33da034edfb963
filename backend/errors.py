"""One error shape: ``application/problem+json`` (RFC 9457) with a stable ``code``.

Services raise ``DomainError`` children; HTTP, validation, JWT and rate-limit
errors are mapped here too, so clients learn one format.
"""
import logging

from flask import current_app, json
from werkzeug.exceptions import HTTPException

from .common import i18n

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"


class DomainError(Exception):
    status = 400
    code = "bad_request"
    title = "Bad request"
    #: commit what the service flushed before refusing (e.g. a failed PIN try)
    commit = False
    #: extra response headers (``Retry-After`` on a lock)
    headers = None

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
    lang = i18n.language()
    title, detail, errors = localise(status, code, title, detail, errors, lang)
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
    response.headers["Content-Language"] = "zh-CN" if lang == "zh" else "en"
    response.vary.add("Accept-Language")
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
    return problem(error.status, error.code, error.title, error.detail, error.errors, error.headers)


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
    return problem(422, "value_out_of_range", "Validation failed", "A value in the request is out of range or too long.")


def register_error_handlers(app):
    from sqlalchemy.exc import DataError, IntegrityError, OperationalError

    app.register_error_handler(OverflowError, handle_out_of_range)
    app.register_error_handler(DataError, handle_out_of_range)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(OperationalError, handle_operational_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)


# --- the catalogue: every stable code, its status and its texts in both languages -----------------
#
# Each domain's ``errors.py`` calls ``catalogue(codes, messages, labels)``; the handlers above take
# titles from it and the OpenAPI document lists the codes of every operation from it (error_docs.py).
# Raise sites keep passing an English detail; ``common/i18n`` finds it in the message table.


class Entry:
    __slots__ = ("code", "statuses", "zh", "en", "domain")

    def __init__(self, code, status, zh, en, domain):
        self.code, self.zh, self.en, self.domain = code, zh, en, domain
        #: the first status is the usual one; a code some service raises with another lists both
        self.statuses = (status,) if isinstance(status, int) else tuple(status)

    def title(self, lang):
        return self.zh if lang == "zh" else self.en


CATALOGUE: dict[str, Entry] = {}


def catalogue(domain, codes, messages=None, labels=None):
    """Register a domain's codes ({code: (status, zh title, en title)}), message texts and labels."""
    for code, (status, zh, en) in codes.items():
        if code in CATALOGUE and CATALOGUE[code].domain != domain:
            raise ValueError(f"error code {code!r} is in the catalogues of {CATALOGUE[code].domain} and {domain}")
        CATALOGUE[code] = Entry(code, status, zh, en, domain)
    i18n.add_messages(messages or {})
    i18n.add_labels(labels or {})


#: titles for a status whose code has no entry of its own
STATUS_TITLES = {
    400: ("请求有误", "Bad request"),
    401: ("需要登录", "Authentication required"),
    403: ("无权操作", "Not allowed"),
    404: ("未找到", "Not found"),
    405: ("不支持该方法", "Method not allowed"),
    409: ("与当前状态冲突", "Conflict"),
    410: ("已失效", "Gone"),
    413: ("内容过大", "Payload too large"),
    415: ("不支持的内容类型", "Unsupported media type"),
    422: ("输入有误", "Validation failed"),
    423: ("已锁定", "Locked"),
    429: ("请求过于频繁", "Too many requests"),
    500: ("服务器内部错误", "Internal error"),
    503: ("服务暂不可用", "Service unavailable"),
}


def _werkzeug_default(status, detail):
    from werkzeug.exceptions import default_exceptions

    cls = default_exceptions.get(status)
    return cls is not None and detail == cls.description


def localise(status, code, title, detail, errors, lang):
    """Title, detail and field errors of a problem in ``lang``.

    The title is the catalogue's for ``code``. The detail is the raise site's text in ``lang``
    (from the message table); werkzeug's generic descriptions and texts the table lacks fall
    back to the title, so a reader never gets the other language.
    """
    entry = CATALOGUE.get(code)
    generic = STATUS_TITLES.get(status, ("出错了", "Error"))
    if entry is not None:
        new_title = entry.title(lang)
    else:
        new_title = i18n.translate(title, lang) or (generic[0] if lang == "zh" else generic[1])
    new_detail = None
    if detail and _werkzeug_default(status, detail):
        new_detail = i18n.translate(HTTP_DETAILS.get(code), lang)  # werkzeug's wording, replaced
    elif detail and detail != title:
        new_detail = i18n.translate(detail, lang)
    if errors:
        errors = i18n.translate_tree(errors, lang)
        if new_detail is None:
            new_detail = i18n.translate(FIELDS_INVALID, lang)
    return new_title, new_detail or new_title, errors


FIELDS_INVALID = "Some fields are missing or invalid; see the message of each field."
#: what the API says instead of werkzeug's generic descriptions
HTTP_DETAILS = {
    "bad_request": "The request cannot be read.",
    "not_found": "There is nothing at this address.",
    "method_not_allowed": "This address does not accept this method; see the Allow header.",
    "payload_too_large": "The request body is larger than the server accepts.",
    "unsupported_media_type": "Send the body as JSON (Content-Type: application/json).",
}


catalogue("common", {
    "bad_request": (400, "请求有误", "Bad request"),
    "malformed_json": (400, "请求内容不是有效的 JSON", "Malformed JSON"),
    "json_too_deep": (400, "JSON 嵌套过深", "JSON nested too deep"),
    "invalid_text": (422, "文本含有无效字符", "Invalid text"),
    "value_out_of_range": (422, "数值超出范围", "Value out of range"),
    "unauthorized": (401, "需要登录", "Authentication required"),
    "forbidden": (403, "无权操作", "Not allowed"),
    "not_found": (404, "未找到", "Not found"),
    "method_not_allowed": (405, "不支持该方法", "Method not allowed"),
    "conflict": (409, "与当前状态冲突", "Conflict"),
    "payload_too_large": (413, "内容过大", "Payload too large"),
    "unsupported_media_type": (415, "不支持的内容类型", "Unsupported media type"),
    "validation_failed": (422, "输入有误", "Validation failed"),
    "locked": (423, "已锁定", "Locked"),
    "rate_limited": (429, "请求过于频繁", "Too many requests"),
    "internal_error": (500, "服务器内部错误", "Internal error"),
    "database_unavailable": (503, "服务暂不可用", "Service unavailable"),
    "http_error": (400, "请求无法处理", "Request not handled"),
    "token_missing": (401, "需要登录", "Authentication required"),
    "token_invalid": (401, "登录凭证无效", "Invalid token"),
    "token_expired": (401, "登录已过期", "Session expired"),
    "token_revoked": (401, "已退出登录", "Signed out"),
    "token_not_fresh": (401, "需要重新登录", "Sign in again"),
    "role_required": (403, "角色权限不足", "Role not allowed"),
    "wrong_principal_kind": (403, "账户类型不符", "Wrong kind of account"),
    "out_of_scope": (403, "超出您的管辖范围", "Outside your communities"),
    "idempotency_key_reused": (409, "幂等键已被使用", "Idempotency key reused"),
}, messages={
    "The JSON body nests deeper than {depth} levels.": "JSON 嵌套超过 {depth} 层。",
    "The text holds an invalid character (a lone UTF-16 surrogate).": "文本含有无效字符（孤立的代理码位）。",
    "A value in the request is out of range or too long.": "请求中的数值超出范围或文本过长。",
    # generic titles of the base exceptions
    "Bad request": "请求有误。",
    "Validation failed": "输入有误。",
    "Authentication required": "需要登录。",
    "Not allowed": "无权操作。",
    "Not found": "未找到。",
    "Conflict": "与当前状态冲突。",
    "Locked": "已锁定。",
    # werkzeug, flask-smorest and flask-limiter
    "The request body is not valid JSON.": "请求内容不是有效的 JSON。",
    "Too many requests: {limit}": ("请求过于频繁（上限：{limit}），请稍后再试。",
                                   "Too many requests (limit: {limit}); try again shortly."),
    "Something went wrong; it has been logged.": "服务器出错了，已记录在案。",
    "The request conflicts with the current state; retry it.": "请求与当前数据冲突，请重试。",
    "The database is busy or unreachable.": "数据库繁忙或无法连接，请稍后再试。",
    # JWT
    "A bearer token is required.": "请先登录（需要 Bearer 令牌）。",
    "The token is malformed or forged.": "登录凭证格式错误或被伪造。",
    "The token has expired; sign in again.": "登录已过期，请重新登录。",
    "This session has been signed out.": "该会话已退出登录。",
    "Sign in again.": "请重新登录。",
    "Unknown account.": "账户不存在。",
    "Authentication failed": "身份验证失败。",
    # common/auth.py and common/idempotency.py
    "This kind of account cannot use this endpoint.": "此类账户不能使用该功能。",
    "Your role does not allow this; it needs the role {roles}.": "您的角色不能执行此操作，需要以下角色：{roles}。",
    "Outside your communities.": "超出您负责的社区范围。",
    "This Idempotency-Key was already used with a different request.": "该 Idempotency-Key 已用于另一个不同的请求。",
    "Must be 1 to 128 printable characters.": "须为 1 至 128 个可打印字符。",
    # marshmallow and webargs field messages
    "Missing data for required field.": "缺少必填字段。",
    "Field may not be null.": "该字段不能为空。",
    "Unknown field.": "未知字段。",
    "Invalid input type.": "输入类型无效。",
    "Invalid value.": "值无效。",
    "Invalid input.": "输入无效。",
    "Not a valid integer.": "不是有效的整数。",
    "Not a valid number.": "不是有效的数字。",
    "Not a valid decimal.": "不是有效的小数。",
    "Not a valid string.": "不是有效的文本。",
    "Not a valid boolean.": "不是有效的布尔值（true/false）。",
    "Not a valid datetime.": "不是有效的日期时间（ISO 8601）。",
    "Not a valid date.": "不是有效的日期（YYYY-MM-DD）。",
    "Not a valid time.": "不是有效的时间。",
    "Not a valid list.": "不是有效的列表。",
    "Not a valid tuple.": "不是有效的元组。",
    "Not a valid mapping type.": "不是有效的对象。",
    "Not a valid email address.": "不是有效的电子邮件地址。",
    "Not a valid URL.": "不是有效的网址。",
    "Not a valid UUID.": "不是有效的 UUID。",
    "Number too large.": "数字过大。",
    "Special numeric values (nan or infinity) are not permitted.": "不允许 NaN 或无穷大。",
    "String does not match expected pattern.": "格式不正确。",
    "Must be one of: {choices}.": "须为以下之一：{choices}。",
    "Must be greater than or equal to {min} and less than or equal to {max}.": "须在 {min} 至 {max} 之间。",
    "Must be greater than or equal to {min}.": "须大于或等于 {min}。",
    "Must be less than or equal to {max}.": "须小于或等于 {max}。",
    "Must be greater than {min} and less than {max}.": "须大于 {min} 且小于 {max}。",
    "Must be greater than {min}.": "须大于 {min}。",
    "Must be less than {max}.": "须小于 {max}。",
    "Length must be between {min} and {max}.": "长度须在 {min} 至 {max} 之间。",
    "Shorter than minimum length {min}.": "长度不能少于 {min}。",
    "Longer than maximum length {max}.": "长度不能超过 {max}。",
    "Length must be {equal}.": "长度须为 {equal}。",
    "Invalid value for this field.": "该字段的值无效。",
    "Invalid type.": "类型无效。",
    "Not a valid utf-8 string.": "不是有效的 UTF-8 文本。",
    "Not a valid period of time.": "不是有效的时长。",
    "Not a valid IP address.": "不是有效的 IP 地址。",
    "Must be equal to {other}.": "须等于 {other}。",
    "Not a valid {awareness} {kind}.": "不是有效的{awareness}{kind}。",
    "Not a valid {kind}.": "不是有效的{kind}。",
    "\"{value}\" cannot be formatted as a {kind}.": "“{value}”不能格式化为{kind}。",
    "One or more of the choices you made was not in: {choices}.": "所选的值中有不在以下范围内的：{choices}。",
    # werkzeug's default descriptions are replaced by the title; these are the ones
    # the API words itself
    "Some fields are missing or invalid; see the message of each field.": "有字段缺失或无效，请查看各字段的提示。",
    "The request cannot be read.": "无法读取该请求。",
    "There is nothing at this address.": "这个地址没有内容。",
    "This address does not accept this method; see the Allow header.": "这个地址不支持该请求方法（见 Allow 响应头）。",
    "The request body is larger than the server accepts.": "请求内容超过了服务器允许的大小。",
    "Send the body as JSON (Content-Type: application/json).": "请以 JSON 格式发送（Content-Type: application/json）。",
}, labels={
    "worker": ("信用采集员", "community worker"),
    "reviewer": ("社区书记（审核员）", "reviewer"),
    "district_admin": ("信用中心管理员", "district admin"),
    "resident": ("居民", "resident"),
    "merchant": ("商户", "merchant"),
    "staff": ("工作人员", "staff"),
    "device": ("自助终端", "kiosk"),
    "datetime": ("日期时间", "datetime"),
    "aware": ("带时区的", "aware"),
    "naive": ("不带时区的", "naive"),
})
