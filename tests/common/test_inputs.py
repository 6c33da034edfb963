"""Input no schema sees: huge and non-ASCII path integers, deep JSON, lone surrogates, upload names."""
import io

from tests.fixtures import assert_problem

HUGE = 2**63  # one more than a BIGINT holds
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_path_id_beyond_int64_is_not_found(client, make_staff, login):
    headers = login(make_staff(district_admin=True))
    assert_problem(client.get(f"/api/v1/residents/{HUGE}", headers=headers), 404)
    assert_problem(client.get(f"/api/v1/records/{HUGE * 10**20}", headers=headers), 404)


def test_path_id_beyond_int64_is_not_found_for_every_method(client, make_staff, login):
    """A path that exists for GET and PATCH: a too-large id is no resource (404), not a wrong method (405)."""
    headers = login(make_staff(district_admin=True))
    for too_big in (HUGE, 10**19, HUGE * 10**20):
        assert_problem(client.patch(f"/api/v1/residents/{too_big}", json={}, headers=headers), 404)
        assert_problem(client.patch(f"/api/v1/supermarkets/{too_big}", json={}, headers=headers), 404)
    assert client.patch(f"/api/v1/residents/{HUGE - 1}", json={}, headers=headers).status_code != 405


def test_query_id_beyond_int64_is_refused_not_a_server_error(client, district):
    response = client.get(f"/api/v1/public/red-list?community_id={HUGE}&district_id={district.id}")
    assert response.status_code in (404, 422), response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"


def test_body_id_beyond_int64_is_refused_not_a_server_error(client, make_staff, community, login):
    headers = login(make_staff(worker=[community]))
    response = client.post("/api/v1/records", json={"resident_id": HUGE, "item_id": HUGE,
                                                    "occurred_at": "2026-01-01T00:00:00Z"}, headers=headers)
    assert response.status_code in (404, 422), response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"


def test_integer_routes_accept_ascii_digits_only(client, make_staff, make_resident, community, login):
    headers = login(make_staff(district_admin=True))
    resident = make_resident(community)
    ascii_id = str(resident.id)
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in ascii_id)
    full_width = "".join(chr(0xFF10 + int(d)) for d in ascii_id)
    assert client.get(f"/api/v1/residents/{ascii_id}", headers=headers).status_code == 200
    assert_problem(client.get(f"/api/v1/residents/{arabic_indic}", headers=headers), 404)
    assert_problem(client.get(f"/api/v1/residents/{full_width}", headers=headers), 404)


def test_deeply_nested_json_is_a_400_problem(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert_problem(response, 400, "json_too_deep")


def test_json_within_depth_still_reaches_the_schema(client):
    response = client.post("/api/v1/auth/login", json={"username": [[[["x"]]]], "password": "p"})
    assert_problem(response, 422)


def test_lone_surrogate_in_json_text_is_422(client):
    body = '{"username": "admin\\ud800", "password": "x"}'
    assert_problem(client.post("/api/v1/auth/login", data=body, content_type="application/json"), 422, "invalid_text")
    body = '{"username\\udfff": "admin", "password": "x"}'
    assert_problem(client.post("/api/v1/auth/login", data=body, content_type="application/json"), 422, "invalid_text")


def test_paired_surrogates_are_ordinary_text(client):
    body = '{"username": "\\ud83d\\ude00", "password": "x"}'  # an emoji, escaped
    response = client.post("/api/v1/auth/login", data=body, content_type="application/json")
    assert response.status_code == 401, response.get_data(as_text=True)


def test_evidence_file_name_is_sanitised_and_downloads(client, make_staff, community, login):
    headers = login(make_staff(worker=[community]))
    for name in ("a\x00b.png", "../../etc/pass\x07wd.png", "C:\\Users\\x\\photo\t\x1b\u202e.png", "\x00", "..", "照片 1.png"):
        response = client.post("/api/v1/evidence", data={"file": (io.BytesIO(PNG), name)}, headers=headers,
                               content_type="multipart/form-data")
        assert response.status_code == 201, (name, response.get_data(as_text=True))
        stored = response.get_json()["filename"]
        assert stored and not any(ord(ch) < 32 or ch in "/\\" for ch in stored), stored
        assert stored not in (".", "..")
        download = client.get(f"/api/v1/evidence/{response.get_json()['id']}", headers=headers)
        assert download.status_code == 200
        assert download.data == PNG
    assert stored == "照片 1.png"
