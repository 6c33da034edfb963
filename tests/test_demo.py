"""The demo a newcomer plays first: it follows PORT, starts afresh with --reset, README's resident
table is what the seed made, and every step of a field day works on day one."""
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import click
import pytest
from flask_migrate import upgrade
from sqlalchemy import select

import seed.demo as demo
from backend.cards import service as cards
from backend.cli import wipe_database
from backend.common.time import utcnow
from backend.credit import jobs as credit_jobs
from backend.credit import service as credit
from backend.credit.models import CreditRecord
from backend.devices.models import KioskDevice
from backend.extensions import db
from backend.ledger.service import balance_of, check_balances
from backend.org.models import Community
from backend.residents.models import Resident
from backend.supermarket.models import Supermarket
from tests.conftest import make_app
from tests.fixtures import assert_problem
from tests.test_migrations import empty_database_url  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = str(ROOT / "migrations")


def _config_value(name, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "PUBLIC_BASE_URL")}
    out = subprocess.run([sys.executable, "-c", f"from backend.config import Config; print(Config.{name})"],
                         cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_public_base_url_follows_port_unless_set():
    assert _config_value("PUBLIC_BASE_URL", PORT="5107") == "http://127.0.0.1:5107"
    assert _config_value("PUBLIC_BASE_URL") == "http://127.0.0.1:5000"
    assert _config_value("PUBLIC_BASE_URL", PORT="5107", PUBLIC_BASE_URL="https://credit.example.cn/") == \
        "https://credit.example.cn"


def test_demo_script_exports_port_and_base_url_to_the_server_and_the_banner():
    script = (ROOT / "scripts" / "demo").read_text()
    assert 'export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://127.0.0.1:$PORT}"' in script
    assert "serving on http://127.0.0.1:$PORT" in script and '--port "$PORT"' in script
    assert "flask seed reset --yes" in script and "5000/" not in script


def test_demo_reset_and_seed_make_the_kiosk_pairable_again(empty_database_url):  # noqa: F811
    app = make_app(SQLALCHEMY_DATABASE_URI=empty_database_url)
    with app.app_context():
        pair = app.test_client().post
        for _round in range(2):
            upgrade(directory=MIGRATIONS)
            demo.seed_demo()
            db.session.commit()
            first = pair("/api/v1/devices/pair", json={"pairing_code": demo.KIOSK_PAIRING_CODE})
            assert first.status_code == 200, first.get_json()
            assert_problem(pair("/api/v1/devices/pair", json={"pairing_code": demo.KIOSK_PAIRING_CODE}), 401,
                           "invalid_pairing_code")
            # seeding again keeps the paired kiosk (and its used code): only a reset gives the code back
            demo.seed_demo()
            db.session.commit()
            assert_problem(pair("/api/v1/devices/pair", json={"pairing_code": demo.KIOSK_PAIRING_CODE}), 401,
                           "invalid_pairing_code")
            result = app.test_cli_runner().invoke(args=["seed", "reset", "--yes"])
            assert result.exit_code == 0 and result.output.startswith("dropped "), result.output
            assert db.inspect(db.engine).get_table_names() == []
        db.engine.dispose()


def test_reset_refuses_to_run_in_production(app):
    app.config["ENV_NAME"] = "production"
    with pytest.raises(click.ClickException):
        wipe_database(app)
    assert "residents" in db.inspect(db.engine).get_table_names()


def _readme_residents():
    text = (ROOT / "README.md").read_text()
    section = text.split("### Demo residents", 1)[1].split("###", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and re.fullmatch(r"138\d{8}", cells[1]):
            stars, score = re.fullmatch(r"(\d)★ \((\d+)\)", cells[3]).groups()
            rows.append({"kind": cells[0], "phone": cells[1], "village": cells[2], "stars": int(stars),
                         "score": int(score), "points": int(cells[4]), "kiosk": cells[5]})
    return rows


@pytest.fixture
def fresh_demo(app):
    summary = demo.seed_demo()
    db.session.commit()
    return summary


def _resident(phone):
    return db.session.execute(select(Resident).where(Resident.phone == phone)).scalar_one()


def test_readme_demo_residents_are_what_the_seed_makes(fresh_demo):
    rows = _readme_residents()
    assert len(rows) >= 12 and {"西楼村", "东楼村", "米山社区", "龙山社区"} == {r["village"] for r in rows}
    kiosk = db.session.execute(select(KioskDevice)).scalar_one()
    served = set(db.session.get(Supermarket, kiosk.supermarket_id).served_community_ids)
    assert {db.session.get(Community, c).name_zh for c in served} == {"西楼村", "东楼村"}
    for row in rows:
        resident = _resident(row["phone"])
        standing = credit.resident_standing(resident.id)
        claimed = (row["village"], row["stars"], row["score"], row["points"],
                   "西楼村 kiosk" if resident.community_id in served else "none")
        actual = (resident.community.name_zh, standing["stars"], standing["score"],
                  balance_of("resident", resident.id), row["kiosk"])
        assert actual == claimed, f"README's row for {row['phone']} ({row['kind']}) is wrong"
    assert _resident("13800000001").community.name_zh == "西楼村"
    assert credit.resident_standing(_resident("13800000001").id)["stars"] == 5


def test_fresh_demo_barber_can_still_earn_credit_today(fresh_demo, client):
    login = client.post("/api/v1/auth/login", json={"username": "barber", "password": "chengxin-merchant"})
    headers = {"Authorization": f"Bearer {login.get_json()['access_token']}", "Accept-Language": "en"}
    today = client.get("/api/v1/merchant/summary", headers=headers).get_json()["credit_today"]
    assert (today["earned"], today["can_earn"], today["reason_code"]) == (0, True, "can_earn_today")
    sales = client.get("/api/v1/merchant/sales", headers=headers).get_json()
    assert sales["total"] == 5 and today["cap"] == 5  # the seeded sales were on earlier days
    code = cards.issue_dynamic_code(_resident("13800000001"))["token"]
    sale = client.post("/api/v1/merchant/sales", headers=headers, json={"code": code, "bill_amount": 3000})
    assert sale.status_code == 201, sale.get_json()
    assert sale.get_json()["discount_percent"] == 20
    assert sale.get_json()["merchant_credit"]["reason_code"] == "credit_awarded"


def test_fresh_demo_has_notices_ending_minutes_after_seeding_that_the_job_finalises(fresh_demo):
    now = utcnow()
    soon = db.session.execute(
        select(CreditRecord).where(CreditRecord.status == "in_notice",
                                   CreditRecord.notice_ends_at <= now + timedelta(minutes=15))
    ).scalars().all()
    phones = sorted(db.session.get(Resident, r.resident_id).phone for r in soon)
    assert phones == ["13800000077", "13800000078", "13800000081"]
    assert all(now < r.notice_ends_at for r in soon)
    scores = {p: credit.resident_standing(_resident(p).id)["score"] for p in phones}
    assert credit_jobs.run(now)["finalised"] == 0
    assert credit_jobs.run(now + timedelta(minutes=6))["finalised"] == 2
    assert credit_jobs.run(now + timedelta(minutes=11))["finalised"] == 1
    db.session.commit()
    gained = {p: credit.resident_standing(_resident(p).id)["score"] - scores[p] for p in phones}
    assert gained == {"13800000077": 3, "13800000078": 2, "13800000081": 1}  # as README says
    assert check_balances() == []


def test_fresh_demo_has_a_resident_ready_to_ask_for_credit_repair(fresh_demo, client):
    login = client.post("/api/v1/auth/resident-login", json={"phone": "13800000025", "password": "chengxin-resident"})
    headers = {"Authorization": f"Bearer {login.get_json()['access_token']}"}
    record = db.session.execute(
        select(CreditRecord).where(CreditRecord.resident_id == _resident("13800000025").id,
                                   CreditRecord.points < 0)
    ).scalar_one()
    assert (record.status, record.severity) == ("final", "minor")
    response = client.post("/api/v1/repairs", headers=headers,
                           json={"record_id": record.id, "commitment": "已清理门前垃圾，承诺今后分类投放。"})
    assert response.status_code == 201, response.get_json()
    reviewer = client.post("/api/v1/auth/login", json={"username": "reviewer1", "password": "chengxin-reviewer"})
    approved = client.post(f"/api/v1/repairs/{response.get_json()['id']}/approve",
                           headers={"Authorization": f"Bearer {reviewer.get_json()['access_token']}"},
                           json={"note": "已整改"})
    assert approved.status_code == 200, approved.get_json()
    assert credit.resident_standing(_resident("13800000025").id)["score"] == 113


def test_readme_links_nothing_outside_the_repository():
    text = (ROOT / "README.md").read_text()
    assert "../" not in text and "shared/DESIGN" not in text
    for path in set(re.findall(r"`((?:docs|scripts)/[\w./-]+)`", text)):
        assert (ROOT / path).exists(), f"README names {path}, which is not in the repository"
    assert "docs/ARCHITECTURE.md" in text
