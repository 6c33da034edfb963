"""District policy versions, evidence files, and the job's points rules."""
import io
from datetime import timedelta

from backend.common.time import utcnow
from backend.credit import jobs, service
from backend.credit.models import CreditPolicy, Evidence
from backend.credit.scoring import check_scores, finalise
from backend.extensions import db
from backend.ledger.service import balance_of, check_balances
from backend.residents.models import ResidentLookup
from tests.credit.conftest import PNG, principal_of
from tests.fixtures import assert_problem


def test_policy_put_makes_a_new_version_and_keeps_history(client, auth, village):
    admin = auth(village.admin)
    current = client.get("/api/v1/policy", headers=auth(village.worker)).get_json()
    assert current["version"] == 0 and current["star_thresholds"] == [60, 90, 110, 130, 160]
    assert current["discount_bounds"]["3"] == {"min_percent": 5, "max_percent": 10}
    first = client.put("/api/v1/policy", json={"notice_days": 5, "note": "缩短公示期"}, headers=admin).get_json()
    second = client.put("/api/v1/policy", json={
        "negatives_take_points": True, "discount_bounds": {"4": {"min_percent": 8, "max_percent": 12},
                                                           "5": {"min_percent": 15, "max_percent": 20}},
        "merchant_level_thresholds": {"A": 140, "B": 120, "C": 95, "D": 60}}, headers=admin).get_json()
    assert (first["version"], first["notice_days"]) == (1, 5)
    assert (second["version"], second["notice_days"], second["negatives_take_points"]) == (2, 5, True)
    assert set(second["discount_bounds"]) == {"4", "5"}
    history = client.get("/api/v1/policy/versions", headers=admin).get_json()
    assert [row["version"] for row in history["items"]] == [2, 1]
    policy = service.district_policy(village.admin.district_id)
    assert policy.discount_bounds == {4: (8, 12), 5: (15, 20)} and policy.discount_range(3) is None
    assert db.session.query(CreditPolicy).count() == 2


def test_policy_change_in_the_future_waits_for_its_date(client, auth, village):
    later = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    client.put("/api/v1/policy", json={"base_score": 120, "effective_from": later.isoformat() + "Z"},
               headers=auth(village.admin))
    assert service.resident_standing(village.alice.id)["score"] == 100
    assert service.district_policy(village.alice.district_id, later + timedelta(hours=1)).base_score == 120


def test_evidence_upload_checks_type_and_size_and_attaches_once(app, client, auth, village, make_item, log_record):
    headers = auth(village.worker)

    def upload(data, name):
        return client.post("/api/v1/evidence", data={"file": (io.BytesIO(data), name)}, headers=headers,
                           content_type="multipart/form-data")

    assert_problem(upload(b"MZ\x90\x00 not an image", "photo.jpg"), 422, "unsupported_file_type")
    assert_problem(upload(b"", "empty.png"), 422, "empty_file")
    app.config["CREDIT_EVIDENCE_MAX_BYTES"] = 100
    assert_problem(upload(PNG + b"\x00" * 200, "big.png"), 422, "file_too_large")
    app.config.pop("CREDIT_EVIDENCE_MAX_BYTES")
    photo = upload(PNG, "现场照片.png")
    assert photo.status_code == 201, photo.get_json()
    assert photo.get_json()["content_type"] == "image/png" and photo.get_json()["filename"] == "现场照片.png"
    item = make_item("brave_deed", 30, evidence=True)
    record = log_record(village.worker, village.alice, item, evidence_ids=[photo.get_json()["id"]])
    assert record.status_code == 201 and len(record.get_json()["evidence"]) == 1
    again = log_record(village.worker, village.bob, item, evidence_ids=[photo.get_json()["id"]])
    assert_problem(again, 422, "unknown_evidence")
    # the subject and staff of the community can open it (staff reads are logged); strangers cannot
    url = record.get_json()["evidence"][0]["url"]
    assert client.get(url, headers=auth(village.alice)).data == PNG
    assert client.get(url, headers=auth(village.reviewer2)).status_code == 200
    assert db.session.query(ResidentLookup).filter_by(what="evidence").count() == 1
    assert_problem(client.get(url, headers=auth(village.carol)), 404, "evidence_not_found")
    assert_problem(client.get(url, headers=auth(village.outsider_worker)), 404, "evidence_not_found")
    stored = db.session.get(Evidence, photo.get_json()["id"])
    assert stored.record_id == record.get_json()["id"] and len(stored.sha256) == 64


def test_negatives_take_points_only_when_the_policy_says_so_and_never_below_zero(client, auth, village, make_item):
    good = make_item("neighbour_help", 3)
    bad = make_item("illegal_parking", -5)
    worker = principal_of(village.worker)

    def final(resident, item):
        record = service.create_record(worker, resident.id, item.id, utcnow())
        finalise(record)
        db.session.commit()
        return record

    final(village.alice, good)
    final(village.alice, bad)
    assert balance_of("resident", village.alice.id) == 3  # the switch is off by default
    client.put("/api/v1/policy", json={"negatives_take_points": True}, headers=auth(village.admin))
    final(village.bob, good)
    final(village.bob, bad)
    assert balance_of("resident", village.bob.id) == 0  # took 3 of 5: never below zero
    assert service.resident_standing(village.bob.id)["score"] == 98
    assert check_balances() == [] and check_scores() == []


def test_objections_past_the_deadline_show_as_overdue(client, auth, village, make_item, log_record):
    client.put("/api/v1/policy", json={"objection_deadline_days": 1}, headers=auth(village.admin))
    item = make_item("neighbour_help", 3)
    record = log_record(village.worker, village.alice, item).get_json()
    client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=auth(village.reviewer2))
    objection = client.post("/api/v1/objections", json={"record_id": record["id"], "reason": "不属实"},
                            headers=auth(village.carol)).get_json()
    from backend.credit.models import Objection

    db.session.get(Objection, objection["id"]).due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    overdue = client.get("/api/v1/objections?overdue=true", headers=auth(village.reviewer2)).get_json()
    assert [(row["id"], row["overdue"]) for row in overdue["items"]] == [(objection["id"], True)]


def test_job_expiry_is_idempotent_and_remembers_its_window(village, make_item):
    item = make_item("neighbour_help", 5)
    record = service.create_record(principal_of(village.worker), village.alice.id, item.id, utcnow())
    finalise(record)
    db.session.commit()
    assert jobs.run(utcnow() + timedelta(days=729))["expired_points"] == 0
    db.session.commit()
    far = utcnow() + timedelta(days=731)
    assert jobs.run(far)["expired_points"] == 5
    db.session.commit()
    assert jobs.run(far + timedelta(minutes=1))["expired_points"] == 0
    assert jobs.run(far - timedelta(days=1))["expired_points"] == 0  # a cutoff behind the window does nothing
    assert balance_of("resident", village.alice.id) == 0
    assert balance_of("expiry", village.alice.district_id) == 5
    assert check_balances() == []
