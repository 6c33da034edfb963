"""The generator and the benchmark at tiny sizes, so neither can rot (numbers are not asserted)."""
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import String, cast, func, select, text

from backend.credit.models import CreditEntry, CreditRecord, CreditSubject
from backend.extensions import db
from backend.ledger.models import Transfer
from backend.ledger.service import check_balances, total_of_all_accounts
from backend.merchants.models import Sale
from backend.residents.models import Resident
from backend.supermarket.models import StockMovement, SupermarketItem, SupermarketOrder
from tests.conftest import DATABASE_URL, IS_POSTGRES


@pytest.mark.skipif(IS_POSTGRES, reason="the SQLite refusal")
def test_scale_generator_says_it_needs_postgres(app):
    from seed.scale import ScaleNeedsPostgres, seed_scale

    with pytest.raises(ScaleNeedsPostgres, match="PostgreSQL"):
        seed_scale(10, 1, echo=lambda _msg: None)
    assert db.session.execute(select(func.count()).select_from(Resident)).scalar_one() == 0


@pytest.mark.skipif(not IS_POSTGRES, reason="the generator loads PostgreSQL")
def test_scale_generator_loads_a_consistent_district(app):
    from seed.scale import seed_scale

    summary = seed_scale(120, 4, echo=lambda _msg: None)
    db.session.commit()
    assert summary["residents"] == 120
    assert db.session.execute(select(func.count()).select_from(Resident)).scalar_one() == 120
    records = db.session.execute(select(func.count()).select_from(CreditRecord)).scalar_one()
    assert records == summary["records"] > 0
    statuses = set(db.session.execute(select(CreditRecord.status).distinct()).scalars())
    assert {"final", "pending"} <= statuses
    # the stored score of every subject is the sum of its entries; balances are the sum of transfers
    sums = dict(db.session.execute(
        select(CreditEntry.subject_id, func.sum(CreditEntry.delta)).group_by(CreditEntry.subject_id)).all())
    for subject_id, stored in db.session.execute(select(CreditSubject.id, CreditSubject.score_delta)).all():
        assert stored == sums.get(subject_id, 0)
    assert check_balances() == []
    assert total_of_all_accounts() == 0
    # every positive final resident record paid its award, under the key the app itself uses
    award = db.session.execute(
        select(CreditRecord.id, Transfer.amount, CreditRecord.points)
        .join(Transfer, Transfer.idempotency_key == "record:" + cast(CreditRecord.id, String) + ":award")
        .where(CreditRecord.subject_type == "resident", CreditRecord.status == "final", CreditRecord.points > 0)
    ).all()
    positive_finals = db.session.execute(select(func.count()).select_from(CreditRecord).where(
        CreditRecord.subject_type == "resident", CreditRecord.status == "final", CreditRecord.points > 0)).scalar_one()
    assert len(award) == positive_finals > 0 and all(amount == points for _id, amount, points in award)
    # sales earned their merchants credit (within the daily cap), orders took points and stock
    assert summary["sales"] > 0 and summary["orders"] > 0
    assert db.session.execute(select(func.count()).select_from(Sale)).scalar_one() == summary["sales"]
    merchant_records = db.session.execute(select(func.count()).select_from(CreditRecord).where(
        CreditRecord.subject_type == "merchant", CreditRecord.source_ref.like("sale:%"))).scalar_one()
    assert 0 < merchant_records <= summary["sales"]
    assert db.session.execute(select(func.count()).select_from(SupermarketOrder)).scalar_one() == summary["orders"]
    for item_id, stock in db.session.execute(select(SupermarketItem.id, SupermarketItem.stock)).all():
        moved = db.session.execute(select(func.sum(StockMovement.quantity)).where(StockMovement.item_id == item_id))
        assert moved.scalar_one() == stock


@pytest.mark.skipif(not IS_POSTGRES, reason="the generator loads PostgreSQL")
def test_an_interrupted_index_rebuild_is_resumed_where_it_stopped(app):
    from seed.scale import _write_load_note, index_names, read_load_note, seed_scale

    seed_scale(40, 2, echo=lambda _msg: None)
    note = read_load_note(db.session.connection())
    assert note["complete"] and note["data"] >= 0
    rebuilt = {"uq_credit_records_source_ref", "ix_credit_records_cap", "ix_transfers_ref"}
    assert rebuilt <= index_names(db.session.connection())
    # as if the rebuild had stopped after some indexes: two are missing and the note says "so far"
    db.session.execute(text('ALTER TABLE credit_records DROP CONSTRAINT "uq_credit_records_source_ref"'))
    db.session.execute(text('DROP INDEX "ix_credit_records_cap"'))
    _write_load_note(db.session.connection(), {"data": note["data"], "indexes": 7, "complete": False})
    db.session.commit()
    assert read_load_note(db.session.connection())["complete"] is False

    result = app.test_cli_runner().invoke(args=["seed", "scale", "--resume"])
    assert result.exit_code == 0, result.output
    assert "building 2 indexes" in result.output
    assert {"uq_credit_records_source_ref", "ix_credit_records_cap"} <= index_names(db.session.connection())
    resumed = read_load_note(db.session.connection())
    assert resumed["complete"] and resumed["data"] == note["data"] and resumed["indexes"] >= 7


@pytest.mark.skipif(not IS_POSTGRES, reason="the generator loads PostgreSQL")
def test_resume_without_a_load_says_so(app):
    name = db.session.execute(text("SELECT current_database()")).scalar_one()
    db.session.execute(text(f'COMMENT ON DATABASE "{name}" IS NULL'))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["seed", "scale", "--resume"])
    assert result.exit_code == 1
    assert "no load by flask seed scale to resume" in result.output


@pytest.mark.skipif(not IS_POSTGRES, reason="the benchmark runs against PostgreSQL")
def test_benchmark_runs_end_to_end_at_tiny_size():
    for tool in ("wrk", "pgbench", "psql"):
        if shutil.which(tool) is None:
            if os.environ.get("CI") == "true":
                pytest.fail(f"{tool} is missing; scripts/test installs it")
            pytest.skip(f"{tool} is not installed")
    from bench.run import main

    server = DATABASE_URL.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0]
    output = Path(tempfile.mkdtemp()) / "BENCHMARKS.md"
    results = main(["--server", server, "--sizes", "300:3", "--duration", "3", "--warmup", "1", "--pgbench-scale", "1", "--workers", "2",
                    "--connections", "4", "--reload", "--output", str(output)])
    measured = results[0]["measured"]
    for path in ("home", "sale", "redeem", "log_record", "merchant_page", "code_refresh", "check_in", "approve",
                 "villages_report", "points_report", "records_report", "backlog_report", "baseline_read",
                 "baseline_write"):
        assert measured[path]["requests"] > 0, path
        assert measured[path]["errors"] == 0, (path, measured[path])
    report = output.read_text()
    assert "pgbench" in report and "| home" in report
    # the paths ran on a warm buffer cache, and the report says how much of the database it held
    warm = results[0]["prewarm"]
    assert 0 < warm["gib"] <= warm["of_gib"] and "`pg_prewarm`" in report
    # each report timed once on its own, and the residents' export measured or said to be missing
    one_shot = results[0]["one_shot"]
    assert set(one_shot["latency"]) >= {"villages_report", "points_report", "records_report", "backlog_report"}
    assert all(t["status"] == 200 for t in one_shot["latency"].values())
    assert "peak_mb" in one_shot["export"] or "404" in one_shot["export"]["skipped"]
    assert "| points_report |" in report and "Residents' XLSX export" in report
