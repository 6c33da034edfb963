"""Prepares the requests each benchmark path replays: tokens, fresh phone codes, ids.

Run inside the app (``python -m bench.prepare OUTDIR``) against the loaded
database. Writes one file per path (method TAB path TAB bearer TAB body).
"""
import json
import random
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from backend import create_app
from backend.auth.service import issue_tokens
from backend.extensions import db

SAMPLE = 2000
CODES = 60_000
TOKEN_LIFE = timedelta(hours=6)
#: every spender holds at least this many points before a run (the database is reused between runs)
FLOAT = 500


def _write(path, entries):
    with open(path, "w") as out:
        for method, url, token, body in entries:
            out.write(f"{method}\t{url}\t{token or ''}\t{json.dumps(body, separators=(',', ':')) if body else ''}\n")


def _top_up(district_id, resident_ids):
    """Give residents who will spend in the run enough points, as ordinary ledger transfers from their village fund."""
    from backend.ledger import service as ledger
    from backend.residents.models import Resident
    from backend.common.time import utcnow

    stamp = f"{utcnow():%Y%m%d%H%M%S}"
    rows = db.session.execute(
        select(Resident.id, Resident.community_id).where(Resident.id.in_(resident_ids))).all()
    for n, (resident_id, community_id) in enumerate(rows, 1):
        account = ledger.ensure_account(district_id, "resident", resident_id)
        if account.balance < FLOAT:
            fund = ledger.ensure_account(district_id, "community_fund", community_id)
            ledger.transfer(fund, account, FLOAT - account.balance, kind="bench_top_up",
                            key=f"bench:{stamp}:{resident_id}", actor="bench")
        if n % 50 == 0:
            # hundreds of updates of one fund row in one transaction leave a chain of row
            # versions every later update walks: commit as we go
            db.session.commit()
    db.session.commit()


def prepare(outdir):
    from backend.cards import tokens
    from backend.cards.service import card_token, ensure_card
    from backend.credit.models import CreditSubject
    from backend.ledger.models import Account
    from backend.org.models import District
    from backend.residents.models import Resident
    from seed.scale import bench_fixtures

    rng = random.Random(7)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    district = db.session.execute(select(District).where(District.code == "RC")).scalar_one()
    fixtures = bench_fixtures(district)
    max_id = db.session.execute(select(db.func.max(Resident.id)).where(Resident.district_id == district.id)).scalar()
    min_id = db.session.execute(select(db.func.min(Resident.id)).where(Resident.district_id == district.id)).scalar()
    ids = sorted(rng.sample(range(min_id, max_id + 1), min(SAMPLE, max_id - min_id + 1)))
    # residents with points to spend and 3+ stars (a discount to give)
    rows = db.session.execute(
        select(Resident.id, Resident.community_id, Account.id, Account.balance, CreditSubject.score_delta)
        .join(Account, (Account.kind == "resident") & (Account.owner_id == Resident.id))
        .join(CreditSubject, CreditSubject.resident_id == Resident.id)
        .where(Resident.id.in_(ids))
    ).all()
    resident_tokens = {
        r[0]: issue_tokens("resident", r[0], district.id, {"community_id": r[1]}, refresh=False,
                           expires=TOKEN_LIFE)["access_token"]
        for r in rows
    }
    _write(out / "home.tsv", [("GET", "/api/v1/me/home", resident_tokens[r[0]], None) for r in rows])
    _write(out / "baseline_read.tsv", [("GET", f"/bench/baseline/read/{r[0]}", None, None) for r in rows])
    spenders = rows
    _top_up(district.id, [r[0] for r in spenders])
    _write(out / "baseline_write.tsv", [
        ("POST", f"/bench/baseline/write/{r[2]}/{fixtures['supermarket_account_id']}/{district.id}", None, None)
        for r in spenders
    ])
    discounted = [r for r in rows if r[4] >= 10] or rows
    merchant_tokens = fixtures["merchant_tokens"]
    sales = []
    for n in range(CODES):
        resident_id = discounted[n % len(discounted)][0]
        code = tokens.sign(tokens.KIND_DYNAMIC, resident_id, ttl=int(TOKEN_LIFE.total_seconds()))
        sales.append(("POST", "/api/v1/merchant/sales", merchant_tokens[n % len(merchant_tokens)],
                      {"code": code, "bill_amount": rng.randrange(1000, 20000)}))
    _write(out / "sale.tsv", sales)
    # a kiosk serves its own village: its residents, with points to spend
    villagers = db.session.execute(
        select(Resident.id, Resident.community_id).where(Resident.community_id == fixtures["village_id"])
        .order_by(Resident.id).limit(SAMPLE)
    ).all()
    _top_up(district.id, [r[0] for r in villagers])
    kiosk = []
    for r in villagers:
        session = issue_tokens("kiosk_resident", r[0], district.id,
                               {"device_id": fixtures["device_id"], "supermarket_id": fixtures["supermarket_id"],
                                "device_sid": fixtures["device_sid"]}, refresh=False, expires=TOKEN_LIFE)["access_token"]
        kiosk.append(("POST", "/api/v1/kiosk/orders", session,
                      {"lines": [{"item_id": fixtures["item_id"], "quantity": 1}]}))
    _write(out / "redeem.tsv", kiosk)
    worker_token = fixtures["worker_token"]
    _write(out / "log_record.tsv", [
        ("POST", "/api/v1/records", worker_token,
         {"resident_id": resident_id, "item_id": fixtures["record_item_id"],
          "occurred_at": "2026-01-05T08:00:00Z", "note": "benchmark"})
        for resident_id in fixtures["worker_residents"]
    ])
    merchant_cards = [card_token(ensure_card(district.id, "merchant", m)) for m in fixtures["merchant_ids"]]
    _write(out / "merchant_page.tsv", [("GET", f"/c/{t}", None, None) for t in merchant_cards])
    db.session.commit()
    return {"residents": len(rows), "spenders": len(spenders), "codes": CODES}


if __name__ == "__main__":
    app = create_app()
    with app.app_context():
        print(prepare(sys.argv[1]))
