"""Prepares the requests each benchmark path replays: tokens, fresh phone codes, ids.

Run inside the app (``python -m bench.prepare OUTDIR``) against the loaded
database. Writes one file per path (method TAB path TAB bearer TAB body).
"""
import json
import os
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
    # the phone app: a resident's phone asks for a fresh code every few seconds
    _write(out / "code_refresh.tsv", [("POST", "/api/v1/me/dynamic-code", resident_tokens[r[0]], None) for r in rows])
    admin_token = _admin_token(district)
    _write(out / "check_in.tsv", _check_ins(district, admin_token, rng))
    pending = _pending_records(district, rng, fixtures)
    _write(out / "approve.tsv", [("POST", f"/api/v1/records/{record_id}/approve", admin_token, {"note": "bench"})
                                 for record_id in pending])
    _write(out / "villages_report.tsv", [("GET", "/api/v1/reports/villages", admin_token, None)] * 100)
    _prepare_reports(out, admin_token)
    db.session.commit()
    return {"residents": len(rows), "spenders": len(spenders), "codes": CODES, "pending": len(pending)}


def _prepare_reports(out, admin_token):
    """The district admin's report requests (whole district, default months), and the token the one-shot
    measurements of bench/run.py use."""
    from bench.run import REPORT_PATHS, REPORT_URLS

    for name, datafile, _baseline, _description in REPORT_PATHS:
        _write(out / datafile, [("GET", REPORT_URLS[name], admin_token, None)] * 100)
    (out / "admin_token").write_text(admin_token)


def _admin_token(district):
    """The district admin of the scale district (reviewer and organiser everywhere in it)."""
    from backend.auth.models import User
    from backend.auth.service import roles_claim

    admin = db.session.execute(select(User).where(User.username == "rc-admin")).scalar_one()
    return issue_tokens("staff", admin.id, district.id, {"roles": roles_claim(admin), "name": admin.display_name},
                        refresh=False, expires=TOKEN_LIFE)["access_token"]


def _check_ins(district, admin_token, rng):
    """A running activity in the first ten villages with every resident there signed up; one scan of each
    resident's printed card (a second scan of the same card, when wrk goes round again, answers "already in").

    Earlier runs' activities are closed first (their check-ins checked out at once), so nobody is
    "attending elsewhere".
    """
    from sqlalchemy import insert, update

    from backend.cards.service import card_url, ensure_card
    from backend.common.time import utcnow
    from backend.credit import catalogue
    from backend.org.models import Community
    from backend.residents.models import Resident
    from backend.volunteering.models import VolunteerActivity, VolunteerActivityCommunity, VolunteerParticipation

    now = utcnow().replace(microsecond=0)
    old = select(VolunteerActivity.id).where(VolunteerActivity.district_id == district.id,
                                             VolunteerActivity.title_en == "Benchmark check-in")
    db.session.execute(update(VolunteerParticipation).where(
        VolunteerParticipation.activity_id.in_(old), VolunteerParticipation.checked_in_at.is_not(None),
        VolunteerParticipation.checked_out_at.is_(None)).values(checked_out_at=VolunteerParticipation.checked_in_at))
    db.session.execute(update(VolunteerActivity).where(VolunteerActivity.id.in_(old), VolunteerActivity.status
                                                       != "closed").values(status="closed", closed_at=now))
    villages = list(db.session.execute(select(Community.id).where(Community.district_id == district.id)
                                       .order_by(Community.id).limit(10)).scalars())
    item = catalogue.find_item("volunteer_service", district_id=district.id)
    from backend.auth.models import User

    admin_id = db.session.execute(select(User.id).where(User.username == "rc-admin")).scalar_one()
    activity = VolunteerActivity(
        district_id=district.id, item_id=item.id, title_zh="基准测试签到", title_en="Benchmark check-in",
        place="村委会", starts_at=now - timedelta(minutes=30), ends_at=now + TOKEN_LIFE, capacity=SAMPLE * 10,
        points_per_hour=10, status="running", organiser_id=admin_id, opened_at=now, started_at=now)
    activity.communities = [VolunteerActivityCommunity(community_id=c) for c in villages]
    db.session.add(activity)
    db.session.flush()
    residents = list(db.session.execute(select(Resident.id).where(Resident.community_id.in_(villages))
                                        .order_by(Resident.id).limit(SAMPLE * 2)).scalars())
    db.session.execute(insert(VolunteerParticipation), [
        {"district_id": district.id, "activity_id": activity.id, "resident_id": r, "status": "confirmed",
         "source": "sign_up", "signed_up_at": now} for r in residents])
    rng.shuffle(residents)
    scans = []
    for resident_id in residents:
        card = card_url(ensure_card(district.id, "resident", resident_id))
        scans.append(("POST", f"/api/v1/volunteering/activities/{activity.id}/check-in", admin_token,
                      {"code": card}))
    db.session.commit()
    return scans


def _pending_records(district, rng, fixtures):
    """Pending records of the district to approve (each once: a second approval would be a 409).

    The load leaves some records pending and a reused database has fewer after every run: when fewer
    than ``at_least`` are left, the village worker logs more through the service.
    """
    from backend.auth.models import User
    from backend.auth.service import roles_claim
    from backend.common.auth import Principal
    from backend.common.time import utcnow
    from backend.credit import service as credit
    from backend.credit.models import CreditRecord

    # enough for the run (bench/run.py says how many), each approved once
    at_least = int(os.environ.get("BENCH_MIN_PENDING", "600"))
    wanted = max(30_000, at_least)

    def pending():
        return list(db.session.execute(select(CreditRecord.id).where(
            CreditRecord.district_id == district.id, CreditRecord.status == "pending",
            CreditRecord.subject_type == "resident").order_by(CreditRecord.id.desc()).limit(wanted)).scalars())

    ids = pending()
    if len(ids) < at_least:
        worker = db.session.execute(select(User).where(User.username == "rc-worker")).scalar_one()
        principal = Principal(kind="staff", id=worker.id, district_id=district.id, roles=roles_claim(worker),
                              name=worker.display_name)
        residents = fixtures["worker_residents"]
        occurred = utcnow() - timedelta(days=1)
        for n in range(at_least - len(ids)):
            credit.create_record(principal, residents[n % len(residents)], fixtures["record_item_id"], occurred,
                                 note="benchmark")
        db.session.commit()
        ids = pending()
    rng.shuffle(ids)
    return ids


if __name__ == "__main__":
    app = create_app()
    with app.app_context():
        print(prepare(sys.argv[1]))
