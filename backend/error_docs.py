"""The OpenAPI document's errors, generated from the error catalogue (``errors.CATALOGUE``).

Every error is ``application/problem+json`` with the ``Problem`` schema. Each operation lists the
statuses it can answer and, per status, the stable codes behind them (``x-error-codes``). The codes
are found, not written per route: the view function and every backend function it reaches
(following globals, module attributes, decorators and closures) are read for catalogue codes in
their constants and for ``DomainError`` classes they use. That over-approximates a little (a
branch never taken still counts), which is the safe side for a client.

Some answers come from handlers every view shares rather than from its own code, so they are added
by what an operation is: every operation can find the database busy (503); one that writes (any
method but GET, or a GET that reaches a session write, such as a logged look-up) can lose a race
to a constraint (409); one with input can send numbers or text the database cannot hold (422); one
with a JSON body can send JSON that is malformed or too deep (400) or holds a lone surrogate (422).
415 is not listed: a body that is not JSON is read as no body, which the schema answers with 422.
File responses (PDF, XLSX, CSV, HTML, PNG, SVG) get the content type their route declares.
"""
import builtins
import re
import types
from decimal import Decimal

from . import errors

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details; title and detail follow Accept-Language (zh-CN by default, en).",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the problem type."},
        "title": {"type": "string", "description": "Short, for people, in their language."},
        "status": {"type": "integer", "description": "The HTTP status."},
        "detail": {"type": "string", "description": "What went wrong here, for people, in their language."},
        "code": {"type": "string", "description": "Stable, for programs; see x-error-codes of each response."},
        "errors": {
            "type": "object",
            "description": "Messages per input field (field name → list of messages, or nested fields).",
            "additionalProperties": True,
        },
    },
}
JWT_CODES = ("token_missing", "token_invalid", "token_expired", "token_revoked")
_BACKEND = "backend."
#: a marker among the found codes: the operation reaches a function that writes through the session
_WRITES = "<writes>"
_SESSION_WRITES = {"add", "add_all", "flush", "delete", "merge", "bulk_save_objects", "bulk_insert_mappings"}
#: every view runs in one transaction that ``common.tx.commit_on_success`` commits, so any operation
#: can find the database busy or unreachable (``errors.handle_operational_error``)
EVERY_OPERATION = ("database_unavailable",)
#: a unique or check constraint that a concurrent request won (``errors.handle_integrity_error``):
#: any operation that writes
WRITING = ("conflict",)
#: parameters or a body: schema errors, and numbers or text too large for the database
#: (``errors.handle_out_of_range``) that a schema without bounds lets through
WITH_INPUT = ("validation_failed", "value_out_of_range")
#: a JSON body: unparsable, nested too deep or holding a lone surrogate (``common.inputs.check_json_body``)
WITH_JSON_BODY = ("malformed_json", "json_too_deep", "invalid_text")
#: schemas of success bodies that are files, by the content type the route declares
_TEXT_BODY = {"type": "string"}
_BINARY_BODY = {"type": "string", "format": "binary"}


def _functions(obj):
    """The plain functions behind a view: unwrap decorators and look into closures."""
    out, stack = [], [obj]
    while stack:
        fn = stack.pop()
        if isinstance(fn, types.MethodType):
            fn = fn.__func__
        if not isinstance(fn, types.FunctionType) or fn in out:
            continue
        out.append(fn)
        if hasattr(fn, "__wrapped__"):
            stack.append(fn.__wrapped__)
        for cell in fn.__closure__ or ():
            try:
                stack.append(cell.cell_contents)
            except ValueError:  # an empty cell
                pass
    return out


def _code_objects(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


class _Finder:
    def __init__(self):
        self.memo = {}

    def codes(self, fn):
        """Catalogue codes that ``fn`` or any backend function it reaches can raise."""
        if fn in self.memo:
            return self.memo[fn]
        found = self.memo[fn] = set()
        for code in _code_objects(fn.__code__):
            for const in code.co_consts:
                if isinstance(const, str) and const in errors.CATALOGUE:
                    found.add(const)
            if "verify_jwt_in_request" in code.co_names:
                found.update(JWT_CODES)
            if "session" in code.co_names and _SESSION_WRITES & set(code.co_names):
                found.add(_WRITES)
            modules = []
            for name in code.co_names:
                value = fn.__globals__.get(name, getattr(builtins, name, None))
                if isinstance(value, types.ModuleType) and value.__name__.startswith(_BACKEND):
                    modules.append(value)
                else:
                    self._follow(value, found)
            for module in modules:
                for name in code.co_names:
                    self._follow(getattr(module, name, None), found)
        return found

    def _follow(self, value, found):
        if isinstance(value, type) and issubclass(value, errors.DomainError):
            if value.code in errors.CATALOGUE:  # the catalogue test names any code missing from it
                found.add(value.code)
        elif isinstance(value, (types.FunctionType, types.MethodType)) and \
                getattr(value, "__module__", "").startswith(_BACKEND):
            for fn in _functions(value):
                if fn.__module__.startswith(_BACKEND):
                    found |= self.codes(fn)


def _rate_limited(view):
    """A view under ``@limiter.limit`` keeps the limit object in a decorator's closure."""
    for fn in _functions(view):
        for cell in fn.__closure__ or ():
            try:
                if type(cell.cell_contents).__module__.startswith("flask_limiter"):
                    return True
            except ValueError:
                pass
    return False


def _openapi_path(rule):
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _views(app):
    """{(openapi path, method): view function} for every route."""
    out = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions.get(rule.endpoint)
        if view is not None:
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                out[(_openapi_path(rule.rule), method.lower())] = view
    return out


def _found_codes(view, finder):
    """Codes found in what ``view`` reaches (``_WRITES`` among them when it writes)."""
    codes = set()
    for fn in _functions(view):
        if fn.__module__.startswith(_BACKEND):
            codes |= finder.codes(fn)
    if _rate_limited(view):
        codes.add("rate_limited")
    return codes


def _declared_content_types(view):
    """{status: content type} a view declares with ``@bp.response(..., content_type=...)``.

    flask-smorest only writes a response's content when it has a schema, so a file response
    (PDF, XLSX, CSV, HTML, PNG, SVG) would document no content type; this finds what it declared.
    """
    out = {}
    for status, docs in ((getattr(view, "_apidoc", None) or {}).get("response", {})
                         .get("responses", {}).items()):
        for doc in docs:
            if isinstance(doc, dict) and doc.get("content_type"):
                out[str(status)] = doc["content_type"]
    return out


def _file_content(content_type):
    schema = _TEXT_BODY if content_type.startswith("text/") or content_type.endswith("+xml") else _BINARY_BODY
    return {content_type: {"schema": dict(schema)}}


def _numbers(node):
    """apispec writes Decimal bounds (``Range(Decimal("5"))``) as strings; OpenAPI wants numbers."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf") and \
                    isinstance(value, (Decimal, str)) and not isinstance(value, bool):
                try:
                    number = Decimal(value)
                except ArithmeticError:
                    continue
                node[key] = int(number) if number == number.to_integral_value() else float(number)
            else:
                _numbers(value)
    elif isinstance(node, list):
        for value in node:
            _numbers(value)


def _responses(codes):
    by_status = {}
    for code in sorted(codes):
        entry = errors.CATALOGUE[code]
        for status in entry.statuses:
            by_status.setdefault(status, []).append(entry)
    out = {}
    for status, entries in sorted(by_status.items()):
        lines = "; ".join(f"`{e.code}`: {e.en} ({e.zh})" for e in entries)
        out[str(status)] = {
            "description": f"problem+json with code {lines}",
            "content": {errors.PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
            "x-error-codes": [e.code for e in entries],
        }
    return out


def document(spec_dict, app):
    """Rewrite the error side of the generated document (a dict, changed in place and returned)."""
    finder, views = _Finder(), _views(app)
    spec_dict.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    spec_dict["components"]["schemas"].pop("Error", None)
    for name in list(spec_dict["components"].get("responses", {})):
        response = spec_dict["components"]["responses"][name]
        if "Error" in str(response):
            del spec_dict["components"]["responses"][name]
    for path, item in spec_dict.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "put", "post", "delete", "patch") or not isinstance(operation, dict):
                continue
            view = views.get((path, method))
            codes = _found_codes(view, finder) if view is not None else set()
            codes.update(EVERY_OPERATION)
            if method != "get" or _WRITES in codes:
                codes.update(WRITING)
            codes.discard(_WRITES)
            params = operation.get("parameters", []) + item.get("parameters", []) \
                if isinstance(item.get("parameters"), list) else operation.get("parameters", [])
            if any(p.get("in") == "path" for p in params if isinstance(p, dict)) or "{" in path:
                codes.add("not_found")
            if params or "requestBody" in operation:
                codes.update(WITH_INPUT)
            if "requestBody" in operation:
                codes.add("payload_too_large")  # MAX_CONTENT_LENGTH holds for every body
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                codes.update(WITH_JSON_BODY)
            responses = {status: response for status, response in operation.get("responses", {}).items()
                         if status != "default" and not str(status).startswith(("4", "5"))}
            if not responses:  # a view that returns a file or a redirect documents no success itself
                responses["200"] = {"description": "OK"}
            declared = _declared_content_types(view) if view is not None else {}
            for status, response in responses.items():
                if status in declared and not response.get("content"):
                    response["content"] = _file_content(declared[status])
            responses.update(_responses(codes))
            operation["responses"] = responses
            operation["x-error-codes"] = sorted(codes)
    _numbers(spec_dict)
    return spec_dict


def install(api, app):
    """Have ``api`` serve the document with these errors (no flask-smorest default error schema)."""
    api.DEFAULT_ERROR_RESPONSE_NAME = None
    spec = api.spec
    original = spec.to_dict
    spec.to_dict = lambda: document(original(), app)
