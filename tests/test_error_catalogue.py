"""The error catalogue is complete (every code, every text in zh-CN and English) and the OpenAPI
document tells the truth about errors: problem+json, and the codes each operation can answer."""
import ast
import re
from pathlib import Path

import marshmallow.fields
import pytest
from openapi_spec_validator import validate as validate_openapi

from backend import errors
from backend.common import i18n
from backend.errors import CATALOGUE
from tests.fixtures import in_both_languages

BACKEND = Path(__file__).resolve().parent.parent / "backend"
CJK = re.compile(r"[\u4e00-\u9fff]")
#: the classes whose first argument is a message people read
MESSAGE_CALLS = {cls.__name__ for cls in errors.DomainError.__subclasses__()} | {"DomainError", "ValidationError"}


def _all_error_classes():
    found, stack = set(), [errors.DomainError]
    while stack:
        cls = stack.pop()
        found.add(cls)
        stack.extend(cls.__subclasses__())
    return found


def _sources():
    for path in sorted(BACKEND.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def _text(node):
    """A literal or f-string as text, each interpolated value replaced by a sample ("7")."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "7" for v in node.values)
    return None


def _messages(node):
    text = _text(node)
    if text is not None:
        yield text
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _messages(value)
    elif isinstance(node, ast.DictComp):
        yield from _messages(node.value)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for value in node.elts:
            yield from _messages(value)


def raised_messages():
    """(where, text) of every message a service, schema or validator gives a reader."""
    names = {cls.__name__ for cls in _all_error_classes()} | {"ValidationError"}
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            sources = []
            if name in names:
                sources += node.args[:1] + [k.value for k in node.keywords if k.arg == "errors"]
            sources += [k.value for k in node.keywords if k.arg == "error"]
            for source in sources:
                for text in _messages(source):
                    yield f"{path.relative_to(BACKEND)}:{node.lineno}", text


def raised_codes():
    """(where, code) of every stable code written in the backend."""
    for path, tree in _sources():
        for node in ast.walk(tree):
            where = f"{path.relative_to(BACKEND)}:{getattr(node, 'lineno', 0)}"
            # a stable code is a string (``redirect(…, code=301)`` is an HTTP status, not one of ours)
            if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(node.value, ast.Constant) \
                    and isinstance(node.value.value, str):
                yield where, node.value.value
            elif isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign) and [getattr(t, "id", None) for t in stmt.targets] == ["code"] \
                            and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
                        yield where, stmt.value.value
            elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in (
                    "problem", "reply") and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                yield where, node.args[1].value
    for code in errors.HTTP_CODES.values():
        yield "errors.HTTP_CODES", code


@pytest.fixture(scope="module")
def spec(_shared_app):
    with _shared_app.test_request_context():
        return _shared_app.test_client().get("/api/openapi.json").get_json()


def test_every_catalogue_code_has_a_status_and_titles_in_chinese_and_english(_shared_app):
    assert len(CATALOGUE) > 100
    for code, entry in CATALOGUE.items():
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", code), code
        assert entry.statuses and all(400 <= s <= 599 for s in entry.statuses), code
        assert CJK.search(entry.zh) and entry.zh.strip() == entry.zh, code
        assert entry.en and not CJK.search(entry.en) and entry.en[0].isupper(), code


def test_every_code_the_backend_raises_is_in_the_catalogue(_shared_app):
    missing = sorted({f"{where}: {code}" for where, code in raised_codes() if code not in CATALOGUE})
    assert missing == []
    for cls in _all_error_classes():
        assert cls.code in CATALOGUE and cls.status in CATALOGUE[cls.code].statuses, cls


def test_every_message_the_backend_raises_reads_in_chinese_and_in_english(_shared_app):
    untranslated = []
    for where, text in raised_messages():
        zh, en = i18n.translate(text, "zh"), i18n.translate(text, "en")
        if not (zh and CJK.search(zh)) or not (en and not CJK.search(en)):
            untranslated.append(f"{where}: {text!r} -> {zh!r} / {en!r}")
    assert untranslated == []


def test_marshmallow_messages_read_in_chinese(_shared_app):
    samples = {
        message for cls in vars(marshmallow.fields).values() if isinstance(cls, type)
        for message in getattr(cls, "default_error_messages", {}).values() if "{" not in message
    }
    samples |= {"Must be greater than or equal to 1 and less than or equal to 5.", "Must be one of: a, b.",
                "Longer than maximum length 200.", "Not a valid aware datetime."}
    for message in sorted(samples):
        assert CJK.search(i18n.translate(message, "zh") or ""), message
        assert i18n.translate(message, "en") == message


def test_internal_state_names_never_reach_the_reader(_shared_app):
    text = "The record is in_notice; this needs it to be pending or disputed."
    assert i18n.translate(text, "en") == \
        "The record is in public notice; this needs it to be pending or disputed."
    assert i18n.translate(text, "zh") == "该记录当前为“公示中”，此操作需要记录为“待审核或异议中”。"


def test_openapi_document_is_valid_and_errors_are_problem_json(spec):
    validate_openapi(spec)
    schemas = spec["components"]["schemas"]
    assert "Error" not in schemas
    problem = schemas["Problem"]["properties"]
    assert problem["status"]["type"] == "integer" and problem["code"]["type"] == "string"
    assert set(problem) == {"type", "title", "status", "detail", "code", "errors"}
    operations = [op for item in spec["paths"].values() for op in item.values() if isinstance(op, dict)]
    assert len(operations) > 100
    for operation in operations:
        assert "default" not in operation["responses"]
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert list(response["content"]) == ["application/problem+json"]
                assert response["x-error-codes"], (operation["summary"], status)
                for code in response["x-error-codes"]:
                    assert int(status) in CATALOGUE[code].statuses and f"`{code}`" in response["description"]


def test_decimal_bounds_are_numbers_in_the_document(spec):
    bounds = [(name, key, value) for name, schema in spec["components"]["schemas"].items()
              for field, definition in schema.get("properties", {}).items()
              for key, value in definition.items() if key in ("minimum", "maximum")]
    assert bounds and all(isinstance(value, (int, float)) for _, _, value in bounds), bounds
    quality = [v for n, k, v in bounds if k == "maximum" and v == 5]
    assert quality


def _documented(spec, method, path, status):
    return spec["paths"][path][method]["responses"][str(status)]["x-error-codes"]


@pytest.mark.parametrize("method, path, status, codes", [
    ("post", "/api/v1/auth/login", 401, {"invalid_credentials", "account_disabled"}),
    ("post", "/api/v1/auth/login", 429, {"rate_limited"}),
    ("post", "/api/v1/auth/login", 422, {"validation_failed"}),
    ("get", "/api/v1/staff", 403, {"role_required"}),
    ("get", "/api/v1/staff", 401, {"token_missing", "token_expired", "token_revoked"}),
    ("post", "/api/v1/merchant/sales", 409, {"code_already_used", "merchant_not_active", "no_discount_for_stars"}),
    ("post", "/api/v1/merchant/sales", 400, {"invalid_code"}),
    ("post", "/api/v1/merchant/sales", 410, {"code_expired", "card_revoked"}),
    ("post", "/api/v1/kiosk/sessions", 401, {"pin_required", "wrong_pin"}),
    ("post", "/api/v1/kiosk/sessions", 423, {"pin_locked"}),
    ("post", "/api/v1/kiosk/orders", 409, {"out_of_stock", "insufficient_points", "limit_exceeded"}),
    ("get", "/api/v1/supermarkets/pickups/{code}", 404, {"pickup_code_not_found"}),
    ("post", "/api/v1/repairs", 409, {"repair_too_early", "serious_not_repairable", "already_repaired"}),
    ("post", "/api/v1/records/{record_id}/approve", 409, {"invalid_status"}),
    ("post", "/api/v1/records/{record_id}/approve", 403, {"two_person_rule", "conflict_of_interest"}),
    ("get", "/api/v1/cards/{card_id}", 404, {"card_not_found"}),
])
def test_each_operation_documents_the_codes_its_handlers_raise(spec, method, path, status, codes):
    assert codes <= set(_documented(spec, method, path, status))


def test_a_real_error_answer_is_among_the_documented_codes(app, spec, make_staff):
    user = make_staff(district_admin=True)
    zh, _ = in_both_languages(app, "POST", "/api/v1/auth/login", json={"username": user.username, "password": "x"})
    assert zh["code"] in _documented(spec, "post", "/api/v1/auth/login", zh["status"])
    zh, _ = in_both_languages(app, "GET", "/api/v1/staff")
    assert zh["code"] in _documented(spec, "get", "/api/v1/staff", zh["status"])


def _operations(spec):
    return [(method, path, op) for path, item in spec["paths"].items() for method, op in item.items()
            if method in ("get", "post", "put", "patch", "delete")]


def test_every_operation_documents_the_database_being_busy(spec):
    """Every view runs in a transaction that may meet a busy or unreachable database: 503."""
    for method, path, op in _operations(spec):
        assert "database_unavailable" in op["responses"]["503"]["x-error-codes"], (method, path)


def test_every_operation_that_writes_documents_a_lost_race_as_409(spec):
    for method, path, op in _operations(spec):
        if method != "get":
            assert "conflict" in op["responses"]["409"]["x-error-codes"], (method, path)
    # a read that logs the look-up writes too; a plain list does not
    assert "conflict" in _documented(spec, "get", "/api/v1/residents/{resident_id}", 409)
    assert "409" not in spec["paths"]["/api/v1/towns"]["get"]["responses"]


def test_every_json_body_documents_malformed_deep_and_bad_text(spec):
    bodies = [(method, path, op) for method, path, op in _operations(spec)
              if "application/json" in op.get("requestBody", {}).get("content", {})]
    assert len(bodies) > 30
    for method, path, op in bodies:
        assert {"malformed_json", "json_too_deep"} <= set(op["responses"]["400"]["x-error-codes"]), (method, path)
        assert {"invalid_text", "value_out_of_range", "validation_failed"} <= \
            set(op["responses"]["422"]["x-error-codes"]), (method, path)


@pytest.mark.parametrize("path, content_type", [
    ("/api/v1/reports/points.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("/api/v1/cards/print-sheet.pdf", "application/pdf"),
    ("/api/v1/cards/print-sheet", "text/html"),
    ("/api/v1/cards/{card_id}/qr.png", "image/png"),
    ("/api/v1/cards/{card_id}/qr.svg", "image/svg+xml"),
    ("/api/v1/volunteering/activities/{activity_id}/attendance.csv", "text/csv"),
    ("/api/v1/credit-reports/{report_id}.pdf", "application/pdf"),
    ("/api/v1/evidence/{evidence_id}", "image/jpeg"),
    ("/api/v1/evidence/{evidence_id}", "application/pdf"),
])
def test_file_responses_document_their_content_type(spec, path, content_type):
    assert content_type in spec["paths"][path]["get"]["responses"]["200"]["content"]


def test_a_real_deep_json_answer_is_among_the_documented_codes(app, spec, make_staff, login):
    headers = login(make_staff(district_admin=True))
    deep = "[" * 40 + "]" * 40
    response = app.test_client().post("/api/v1/records", data=deep, content_type="application/json",
                                      headers=headers)
    body = response.get_json()
    assert response.status_code == 400 and body["code"] == "json_too_deep"
    assert body["code"] in _documented(spec, "post", "/api/v1/records", 400)
