"""SQLite, the embedded default, under gunicorn's 4 worker processes and a mixed load.

Staff reads that log a look-up (resident, standing, records, ledger) write one row;
begun as read transactions they used to be refused with "database is locked" whenever another
process was writing. This drives real gunicorn workers on one SQLite file for a few seconds.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from backend import create_app
from backend.auth.models import RoleAssignment, User
from backend.auth.passwords import hash_secret
from backend.cards import service as cards
from backend.cards.tokens import generate_signing_key
from backend.config import TestConfig
from backend.devices import service as devices
from backend.devices.models import KioskDevice
from backend.extensions import db
from backend.ledger import service as ledger
from backend.merchants.models import Merchant
from backend.org.models import Community, District, Town
from backend.residents.models import Resident
from backend.supermarket import service as supermarket
from backend.supermarket.models import Supermarket, SupermarketCommunity, SupermarketItem
from tests.conftest import IS_POSTGRES
from tests.merchants.factories import ensure_merchant_items, give_stars

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sqlite-workers-test-secret-0123456789abcdef"
SECONDS = 12
pytestmark = pytest.mark.skipif(IS_POSTGRES, reason="the embedded SQLite default under several processes")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _world(app, n_residents=8, n_codes=120):
    """A district with an admin, a merchant, a kiosk and residents with points, records and evidence."""
    with app.app_context():
        db.create_all()
        district = District(code="D1", name_zh="文登区", name_en="Wendeng")
        db.session.add(district)
        db.session.flush()
        town = Town(district_id=district.id, code="T1", name_zh="米山镇", name_en="Mishan")
        db.session.add(town)
        db.session.flush()
        village = Community(district_id=district.id, town_id=town.id, code="C1", name_zh="村", name_en="Village")
        db.session.add(village)
        db.session.flush()
        admin = User(district_id=district.id, username="admin", display_name="管理员",
                     password_hash=hash_secret("correct-horse-1"))
        admin.roles.append(RoleAssignment(role="district_admin", community_id=None))
        merchant = Merchant(district_id=district.id, name="老王理发店", category="barber", address="米山路1号",
                            contact_phone="13900000000", status="approved")
        db.session.add_all([admin, merchant])
        db.session.flush()
        seller = User(district_id=district.id, username="seller", display_name="店员",
                      password_hash=hash_secret("correct-horse-1"), merchant_id=merchant.id)
        db.session.add(seller)
        residents = []
        for n in range(n_residents):
            resident = Resident(district_id=district.id, community_id=village.id, name=f"张{n}明", gender="male",
                                birth_year=1960, phone=f"1380000{n:04d}")
            db.session.add(resident)
            residents.append(resident)
        db.session.flush()
        fund = ledger.ensure_account(district.id, "community_fund", village.id)
        for resident in residents:
            target = ledger.ensure_account(district.id, "resident", resident.id)
            ledger.transfer(fund, target, 100_000, kind="credit_award", key=f"load:{resident.id}",
                            ref_type="test", actor="test")
        shop = Supermarket(district_id=district.id, community_id=village.id, name_zh="信用超市",
                           name_en="Shop", active=True)
        shop.served = [SupermarketCommunity(community_id=village.id)]
        db.session.add(shop)
        db.session.flush()
        item = SupermarketItem(district_id=district.id, supermarket_id=shop.id, name_zh="大米", name_en="Rice",
                               category="grain_oil", photo="/kiosk/img/rice.svg", price_points=1, stock=0,
                               low_stock_at=0, active=True)
        db.session.add(item)
        db.session.flush()
        supermarket.move_stock(item, 100_000, "intake", actor="test", donor_name="镇政府", donor_kind="government")
        device = KioskDevice(district_id=district.id, community_id=village.id, supermarket_id=shop.id, name="终端")
        code = devices._new_pairing_code(device)
        db.session.add(device)
        db.session.flush()
        kiosk = devices.pair_device(code)["access_token"]
        db.session.commit()
        ensure_merchant_items(district)
        for resident in residents:
            give_stars(resident, 4)  # merchants give 4-star residents a discount
        ids = [r.id for r in residents]
        sale_codes = [cards.issue_dynamic_code(residents[i % len(residents)])["token"] for i in range(n_codes)]
        client = app.test_client()
        tokens = {}
        for name in ("admin", "seller"):
            response = client.post("/api/v1/auth/login", json={"username": name, "password": "correct-horse-1"})
            assert response.status_code == 200, response.get_json()
            tokens[name] = response.get_json()["access_token"]
        kiosk_sessions = []
        for resident in residents:
            response = client.post("/api/v1/kiosk/sessions", headers={"Authorization": f"Bearer {kiosk}"},
                                   json={"code": cards.issue_dynamic_code(resident)["token"]})
            assert response.status_code == 201, response.get_json()
            kiosk_sessions.append(response.get_json()["access_token"])
        db.session.commit()
        db.engine.dispose()
        return dict(residents=ids, item=item.id, sale_codes=sale_codes, kiosk_sessions=kiosk_sessions,
                    admin=tokens["admin"], seller=tokens["seller"])


def _request(port, method, path, token, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        return response.status, payload[:300]
    finally:
        conn.close()


def _wait_until_up(port, process, log_path, deadline=30):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited: {log_path.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start")


def test_sqlite_with_four_workers_answers_lookups_orders_and_sales_without_5xx():
    tmp = Path(tempfile.mkdtemp(prefix="chengxin-sqlite-workers-"))
    url = f"sqlite:///{tmp / 'load.db'}"
    # the workers and this process sign and check codes with the same keys (no generated instance secrets)
    keys = {"TOKEN_SIGNING_KEYS": generate_signing_key(), "ID_HASH_KEY": SECRET}
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=SECRET, JWT_SECRET_KEY=SECRET,
                     PASSWORD_HASH_CHEAP=True, RATELIMIT_ENABLED=False, UPLOAD_FOLDER=str(tmp / "uploads"), **keys)
    world = _world(app)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "JWT_SECRET_KEY": SECRET,
           "CHENGXIN_ENV": "development", "CHENGXIN_INSTANCE_PATH": str(tmp), "RATELIMIT_ENABLED": "0",
           "UPLOAD_FOLDER": str(tmp / "uploads"), **keys}
    env.pop("TEST_DATABASE_URL", None)
    log = open(tmp / "gunicorn.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "4", "-b", f"127.0.0.1:{port}", "--timeout", "60",
         "--graceful-timeout", "5", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        _wait_until_up(port, process, tmp / "gunicorn.log")
        residents, codes = world["residents"], list(world["sale_codes"])
        end = time.monotonic() + SECONDS

        def staff_reads(n):
            results = []
            while time.monotonic() < end:
                rid = residents[n % len(residents)]
                n += 1
                for path in (f"/api/v1/residents/{rid}", f"/api/v1/residents/{rid}/standing",
                             f"/api/v1/records?resident_id={rid}", f"/api/v1/residents/{rid}/ledger"):
                    results.append((path, *_request(port, "GET", path, world["admin"])))
            return results

        def kiosk_orders(n):
            results = []
            token = world["kiosk_sessions"][n]
            body = {"lines": [{"item_id": world["item"], "quantity": 1}]}
            while time.monotonic() < end:
                results.append(("order", *_request(port, "POST", "/api/v1/kiosk/orders", token, body)))
            return results

        def sales(_n):
            results = []
            while time.monotonic() < end and codes:
                code = codes.pop()
                results.append(("sale", *_request(port, "POST", "/api/v1/merchant/sales", world["seller"],
                                                  {"code": code, "bill_amount": 1000})))
            return results

        jobs = [(staff_reads, i) for i in range(4)] + [(kiosk_orders, i) for i in range(2)] + [(sales, 0)]
        with ThreadPoolExecutor(len(jobs)) as pool:
            futures = [pool.submit(job, arg) for job, arg in jobs]
            results = [r for f in futures for r in f.result(timeout=SECONDS + 60)]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
        log.close()
    server_errors = [r for r in results if r[1] >= 500]
    assert not server_errors, (len(server_errors), len(results), server_errors[:5])
    by_kind = {}
    for what, status, _ in results:
        by_kind.setdefault(what.split("?")[0].rsplit("/", 1)[-1] if what.startswith("/") else what, set()).add(status)
    # every kind of request ran and succeeded at least sometimes (the load was real)
    assert {200} <= by_kind["standing"] and {200} <= by_kind["ledger"] and {200} <= by_kind["records"]
    assert 201 in by_kind["order"] and 201 in by_kind["sale"], [r for r in results if r[0] == "sale"][:3]
