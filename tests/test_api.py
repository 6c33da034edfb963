"""The API surface: health, OpenAPI, one error shape for every kind of bad input."""
import pytest

from backend import create_app
from backend.config import ProductionConfig
from backend.extensions import db
from backend.org.models import Town
from tests.conftest import make_app
from tests.fixtures import assert_problem


def test_health_reports_the_database(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_openapi_describes_every_api_endpoint(app, client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", f"{{{arg}}}").replace(f"<{arg}>", f"{{{arg}}}")
            path = path.replace(f"<string:{arg}>", f"{{{arg}}}").replace(f"<path:{arg}>", f"{{{arg}}}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (path, method) not in documented:
                missing.append(f"{method} {path}")
    assert missing == []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if isinstance(op, dict) and "responses" in op:
                assert op.get("summary"), f"{method.upper()} {path} has no summary"


def test_docs_page_is_served(client):
    assert client.get("/api/docs").status_code == 200


def test_malformed_json_is_400_problem(client, make_staff, community, login):
    headers = login(make_staff(district_admin=True))
    response = client.post("/api/v1/towns", headers=headers, data="{not json", content_type="application/json")
    assert_problem(response, 400, "malformed_json")


def test_wrong_types_and_unknown_fields_name_each_field(client, make_staff, community, login):
    headers = login(make_staff(district_admin=True))
    towns_before = db.session.query(Town).count()
    response = client.post("/api/v1/towns", headers=headers,
                           json={"code": 12, "name_zh": "镇", "name_en": "Town", "colour": "red"})
    body = assert_problem(response, 422, "validation_failed")
    assert set(body["errors"]) == {"code", "colour"}
    assert db.session.query(Town).count() == towns_before


def test_oversize_body_is_413(make_staff, community, login):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    client = app.test_client()
    response = client.post("/api/v1/auth/login", data="x" * 5000, content_type="application/json")
    assert_problem(response, 413, "payload_too_large")


def test_wrong_method_is_405_problem(client):
    assert_problem(client.delete("/api/v1/health"), 405, "method_not_allowed")


def test_unknown_ids_are_404_problem(client, make_staff, login):
    headers = login(make_staff(district_admin=True))
    assert_problem(client.get("/api/v1/towns/999999", headers=headers), 404, "not_found")


def test_production_refuses_development_secrets():
    with pytest.raises(RuntimeError) as error:
        create_app(ProductionConfig)
    assert "SECRET_KEY" in str(error.value)


def test_audit_log_lists_and_filters(client, make_staff, community, login):
    admin = login(make_staff(district_admin=True))
    client.post("/api/v1/towns", headers=admin, json={"code": "A1", "name_zh": "甲镇", "name_en": "A"})
    client.post("/api/v1/households", headers=admin, json={"community_id": community.id, "code": "H1",
                                                           "name": "王家"})
    only_towns = client.get("/api/v1/audit?action=town.create", headers=admin).get_json()
    assert only_towns["total"] == 1
    entry = only_towns["items"][0]
    assert entry["after"]["code"] == "A1" and entry["actor"].startswith("staff:") and entry["ip"]
    worker = login(make_staff(worker=[community]))
    assert_problem(client.get("/api/v1/audit", headers=worker), 403)
