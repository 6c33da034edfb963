from backend.credit.service import HOME_RECORDS
from tests.credit.conftest import PNG


def test_home_shows_standing_and_only_the_newest_twenty_records(client, village, make_item, log_record, auth):
    item = make_item("village_cleanup", 5)
    created = [log_record(village.worker, village.alice, item).get_json()["id"] for _ in range(HOME_RECORDS + 3)]
    log_record(village.worker, village.bob, item)
    home = client.get("/api/v1/me/home", headers=auth(village.alice))
    assert home.status_code == 200
    body = home.get_json()
    assert [r["id"] for r in body["records"]] == list(reversed(created))[:HOME_RECORDS]
    assert all(r["status"] == "pending" for r in body["records"])
    # pending records count nothing yet
    assert body["score"] == 100 and body["points"] == 0 and body["stars"] == 2
    assert body["next_star"] == 3 and body["score_to_next_star"] == 10


def test_home_is_for_residents_only(client, village, auth):
    response = client.get("/api/v1/me/home", headers=auth(village.worker))
    assert response.status_code == 403


def test_home_answer_is_exactly_what_its_schema_would_dump(client, village, make_item, log_record, auth):
    """The home is built from plain rows without a dump (a hot path); HomeSchema stays its contract:
    every field, every timestamp format and the evidence of each record as the schema writes them."""
    import io

    from backend.credit.models import CreditRecord
    from backend.credit.schemas import HomeSchema
    from backend.credit.scoring import resident_standing
    from backend.extensions import db

    photo = client.post("/api/v1/evidence", data={"file": (io.BytesIO(PNG), "现场.png")},
                        headers=auth(village.worker), content_type="multipart/form-data").get_json()
    plain, proven = make_item("village_cleanup", 5), make_item("brave_deed", 30, evidence=True)
    first = log_record(village.worker, village.alice, plain).get_json()["id"]
    log_record(village.worker, village.alice, proven, evidence_ids=[photo["id"]])
    approved = client.post(f"/api/v1/records/{first}/approve", json={"note": "核实"}, headers=auth(village.reviewer))
    assert approved.status_code == 200, approved.get_json()

    body = client.get("/api/v1/me/home", headers=auth(village.alice)).get_json()

    db.session.expire_all()
    records = db.session.query(CreditRecord).filter_by(resident_id=village.alice.id).order_by(CreditRecord.id.desc())
    expected = HomeSchema().dump({**resident_standing(village.alice.id), "records": records.all()})
    assert body == expected
    assert body["records"][0]["evidence"][0]["url"] == f"/api/v1/evidence/{photo['id']}"
    assert body["records"][1]["notice_ends_at"].endswith("Z") and body["records"][1]["status"] == "in_notice"
