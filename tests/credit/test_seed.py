"""The demo's credit data: every state shows something, points went through the ledger, reruns add nothing."""
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

import seed.demo as demo
from backend.common.auth import Principal
from backend.credit import lists
from backend.credit.models import CreditRecord, Evidence, Objection, RepairRequest
from backend.credit.scoring import check_scores
from backend.extensions import db
from backend.ledger.service import check_balances, total_of_all_accounts


def test_demo_credit_seed_shows_every_state_and_is_idempotent(app, monkeypatch):
    monkeypatch.setattr(demo, "EXTRA", ["seed.credit"])
    first = demo.seed_demo()
    db.session.commit()
    assert first["credit_records_created"] > 100 and first["catalogue_items_created"] >= 40
    statuses = dict(db.session.execute(select(CreditRecord.status, func.count()).group_by(CreditRecord.status)).all())
    assert {"pending", "in_notice", "disputed", "final", "rejected", "repaired"} <= set(statuses)
    assert db.session.query(Objection).filter_by(status="open").count() == 1
    assert db.session.query(RepairRequest).filter_by(status="approved").count() == 1
    assert db.session.query(CreditRecord).filter_by(subject_type="merchant").count() >= 3
    evidence = db.session.query(Evidence).first()
    assert (Path(current_app.config["UPLOAD_FOLDER"]) / evidence.storage_path).is_file()
    admin = Principal(kind="staff", id=1, district_id=1, roles={"district_admin": None})
    page = {"page": 1, "per_page": 50}
    assert lists.red_list(admin, {"kind": "resident"}, page)["total"] >= 5
    assert lists.red_list(admin, {"kind": "household"}, page)["total"] >= 1
    assert lists.black_list(admin, {}, page)["total"] == 2
    assert check_balances() == [] and total_of_all_accounts() == 0 and check_scores() == []
    second = demo.seed_demo()
    db.session.commit()
    assert (second["credit_records_created"], second["catalogue_items_created"]) == (0, 0)
    assert db.session.query(CreditRecord).count() == sum(statuses.values())
