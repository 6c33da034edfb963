"""`flask seed scale`: a district at Rongcheng's size for benchmarks, loaded in bulk.

Rows are generated in Python in chunks of residents and written with
PostgreSQL's COPY (``executemany`` in large batches on SQLite). Everything the
app would have written is written consistently: every final record has its
score entry, every positive final record its ledger transfer, and the stored
score and balances equal the sums of what caused them, so `flask ledger check`
passes on the result.

On PostgreSQL the load runs with ``session_replication_role = replica`` (the
generated rows are consistent by construction, so per-row foreign-key
triggers are skipped) and the big tables' secondary indexes are dropped
before and rebuilt after the load — much faster than maintaining them row by
row. That needs a superuser, which the benchmark's own server has.
"""
import hashlib
import hmac
import random
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, insert, select, text

from backend.auth.passwords import hash_secret
from backend.common.time import utcnow
from backend.extensions import db
from backend.org.models import Community, District, Town

DISTRICT = {"code": "RC", "name_zh": "荣成市", "name_en": "Rongcheng"}
VILLAGE_SIZE = 563          # 800k residents over 1,420 villages
VILLAGES_PER_TOWN = 32
CHUNK = 20_000              # residents per generated chunk
STATUS_WEIGHTS = [("final", 88), ("in_notice", 3), ("pending", 3), ("rejected", 2), ("disputed", 1),
                  ("voided", 1), ("repaired", 2)]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "秀英桂兰玉珍凤淑华建国志强庆明丽娟海燕红梅晓东文杰春生德福金花永祥"
BIG_TABLES = ("residents", "households", "credit_records", "credit_entries", "transfers", "accounts",
              "credit_subjects")


class Loader:
    """COPY on PostgreSQL, executemany elsewhere; one connection, one transaction."""

    def __init__(self, conn):
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.rows = 0

    def write(self, table, columns, rows):
        if not rows:
            return
        self.rows += len(rows)
        if self.postgres:
            raw = self.conn.connection.dbapi_connection
            with raw.cursor() as cursor:
                with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            table_obj = db.metadata.tables[table]
            self.conn.execute(insert(table_obj), [dict(zip(columns, row)) for row in rows])


def _next_id(conn, table):
    return (conn.execute(text(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')).scalar_one() or 0) + 1


def _secondary_indexes(tables):
    return [index for name in tables for index in db.metadata.tables[name].indexes if not index.unique]


def _ensure_org(district_code, villages, echo):
    district = db.session.execute(select(District).where(District.code == district_code)).scalar_one_or_none()
    if district is None:
        district = District(code=district_code, name_zh=DISTRICT["name_zh"], name_en=DISTRICT["name_en"])
        db.session.add(district)
        db.session.flush()
    existing = db.session.execute(
        select(func.count()).select_from(Community).where(Community.district_id == district.id)
    ).scalar_one()
    towns = db.session.execute(select(Town).where(Town.district_id == district.id).order_by(Town.id)).scalars().all()
    for t in range(len(towns), (villages + VILLAGES_PER_TOWN - 1) // VILLAGES_PER_TOWN):
        town = Town(district_id=district.id, code=f"T{t:03d}", name_zh=f"第{t + 1}镇", name_en=f"Town {t + 1}")
        db.session.add(town)
        towns.append(town)
    db.session.flush()
    rows = [
        {"district_id": district.id, "town_id": towns[v // VILLAGES_PER_TOWN].id, "code": f"V{v:04d}",
         "name_zh": f"{SURNAMES[v % len(SURNAMES)]}家{v + 1}村", "name_en": f"Village {v + 1}", "kind": "village",
         "created_at": datetime(2018, 1, 1)}
        for v in range(existing, villages)
    ]
    if rows:
        db.session.execute(insert(Community), rows)
    db.session.flush()
    communities = db.session.execute(
        select(Community.id).where(Community.district_id == district.id).order_by(Community.id)
    ).scalars().all()
    echo(f"org: 1 district, {len(towns)} towns, {len(communities)} villages")
    return district, towns, communities


def _resident_items(district_id):
    """(item id, version id, points, severity, category, variable) of every resident item in force."""
    from backend.credit.models import CatalogueItem, CatalogueItemVersion

    rows = db.session.execute(
        select(CatalogueItem.id, CatalogueItemVersion.id, CatalogueItemVersion.points, CatalogueItemVersion.severity,
               CatalogueItemVersion.category, CatalogueItemVersion.variable_points)
        .join(CatalogueItemVersion, CatalogueItemVersion.item_id == CatalogueItem.id)
        .where(CatalogueItem.district_id == district_id, CatalogueItem.scope == "district",
               CatalogueItem.subject_type == "resident", CatalogueItemVersion.active.is_(True))
    ).all()
    positives = [r for r in rows if r[2] > 0]
    negatives = [r for r in rows if r[2] < 0]
    return positives, negatives


def seed_scale(residents, records_per_resident, *, seed=20180601, echo=print):
    """Add ``residents`` residents with ``records_per_resident`` records each (average) to the RC district."""
    from seed.credit import seed_catalogue, seed_policy

    started = time.monotonic()
    rng = random.Random(seed)
    villages = max(4, round(residents / VILLAGE_SIZE))
    district, towns, communities = _ensure_org(DISTRICT["code"], villages, echo)
    seed_catalogue(district.id)
    seed_policy(district.id)
    positives, negatives = _resident_items(district.id)
    admin_id = _ensure_reviewers(district)
    password = hash_secret("chengxin-resident")
    id_key = current_app.config["ID_HASH_KEY"].encode()
    db.session.flush()
    conn = db.session.connection()
    loader = Loader(conn)
    indexes = []
    if loader.postgres:
        conn.execute(text("SET session_replication_role = replica"))
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        indexes = _secondary_indexes(BIG_TABLES)
        for index in indexes:
            conn.execute(text(f'DROP INDEX IF EXISTS "{index.name}"'))
    ids = {t: _next_id(conn, t) for t in ("households", "residents", "credit_subjects", "accounts",
                                           "credit_records", "credit_entries", "transfers")}
    fund_accounts = _fund_accounts(conn, loader, district, communities, ids)
    fund_totals = {c: 0 for c in communities}
    statuses, weights = zip(*STATUS_WEIGHTS)
    now = utcnow().replace(microsecond=0)
    first_phone = 13000000000 + ids["residents"]
    done_records = 0
    given = [GIVEN[i:i + 2] for i in range(0, len(GIVEN) - 1, 2)]
    for chunk_start in range(0, residents, CHUNK):
        count = min(CHUNK, residents - chunk_start)
        households, people, subjects, accounts, records, entries, transfers = [], [], [], [], [], [], []
        for n in range(count):
            i = chunk_start + n
            community_id = communities[i % len(communities)]
            if n % 3 == 0:
                household_id = ids["households"]
                ids["households"] += 1
                households.append((household_id, district.id, community_id, f"S{household_id:07d}",
                                   f"{SURNAMES[i % len(SURNAMES)]}家", None, now))
            resident_id = ids["residents"]
            ids["residents"] += 1
            id_number = f"3710821960{i % 12 + 1:02d}01{i % 1000:03d}"[:17] + "X"
            people.append((
                resident_id, district.id, community_id, household_id, rng.choice(SURNAMES) + rng.choice(given),
                "female" if i % 2 else "male", 1935 + i % 70, str(first_phone + i),
                hmac.new(id_key, f"{id_number}{i}".encode(), hashlib.sha256).hexdigest(), id_number[-4:],
                password, None, 0, "active", now,
            ))
            subject_id = ids["credit_subjects"]
            ids["credit_subjects"] += 1
            account_id = ids["accounts"]
            ids["accounts"] += 1
            score, serious, balance = 0, 0, 0
            n_records = rng.randint(0, 2 * records_per_resident) if records_per_resident else 0
            for _ in range(n_records):
                negative = rng.random() < 0.15 and negatives
                item = rng.choice(negatives if negative else positives)
                points = rng.randint(2, 12) if item[5] else item[2]
                status = rng.choices(statuses, weights)[0]
                if status == "repaired" and not (points < 0 and item[3] == "minor"):
                    status = "final"
                record_id = ids["credit_records"]
                ids["credit_records"] += 1
                occurred = now - timedelta(minutes=rng.randint(60, 3 * 365 * 24 * 60))
                reviewed = status not in ("pending",)
                notice_ends = occurred + timedelta(days=8) if reviewed and status != "rejected" else None
                if status == "in_notice":
                    occurred = now - timedelta(days=rng.randint(1, 6))
                    notice_ends = now + timedelta(days=rng.randint(1, 6))
                final_at = notice_ends if status in ("final", "repaired") else None
                records.append((
                    record_id, district.id, "resident", resident_id, None, subject_id, community_id, item[0], item[1],
                    points, item[3], item[4], status, occurred, None, None, "system", None,
                    admin_id if reviewed else None, occurred + timedelta(days=1) if reviewed else None, None,
                    notice_ends, final_at, now if status == "voided" else None,
                    "objection upheld" if status == "voided" else None,
                    now if status == "repaired" else None, occurred,
                ))
                if status in ("final", "repaired"):
                    entries.append((ids["credit_entries"], district.id, subject_id, record_id, "final", points,
                                    "system", final_at))
                    ids["credit_entries"] += 1
                    score += points
                    if status == "repaired":
                        entries.append((ids["credit_entries"], district.id, subject_id, record_id, "repair",
                                        -points, "system", now))
                        ids["credit_entries"] += 1
                        score -= points
                    elif points < 0 and item[3] == "serious":
                        serious += 1
                    if points > 0:
                        transfers.append((ids["transfers"], district.id, fund_accounts[community_id], account_id,
                                          points, "credit_award", "credit_record", str(record_id),
                                          f"record:{record_id}:award", None, "system", None, final_at))
                        ids["transfers"] += 1
                        balance += points
                        fund_totals[community_id] += points
            subjects.append((subject_id, district.id, "resident", resident_id, None, score, serious, now))
            accounts.append((account_id, district.id, "resident", resident_id, balance, False, now))
            done_records += n_records
        loader.write("households", ["id", "district_id", "community_id", "code", "name", "address", "created_at"],
                     households)
        loader.write("residents", ["id", "district_id", "community_id", "household_id", "name", "gender",
                                   "birth_year", "phone", "id_hash", "id_last4", "password_hash", "pin_hash",
                                   "pin_failed_count", "status", "created_at"], people)
        loader.write("credit_subjects", ["id", "district_id", "subject_type", "resident_id", "merchant_id",
                                         "score_delta", "serious_count", "updated_at"], subjects)
        loader.write("accounts", ["id", "district_id", "kind", "owner_id", "balance", "allow_negative",
                                  "created_at"], accounts)
        loader.write("credit_records", RECORD_COLUMNS, records)
        loader.write("credit_entries", ["id", "district_id", "subject_id", "record_id", "kind", "delta", "actor",
                                        "created_at"], entries)
        loader.write("transfers", ["id", "district_id", "from_account_id", "to_account_id", "amount", "kind",
                                   "ref_type", "ref_id", "idempotency_key", "reverses_id", "actor", "memo",
                                   "created_at"], transfers)
        echo(f"  {chunk_start + count:>9,} residents, {done_records:>11,} records, {loader.rows:>11,} rows "
             f"({time.monotonic() - started:,.0f}s)")
    for community_id, total in fund_totals.items():
        if total:
            conn.execute(text("UPDATE accounts SET balance = balance - :t WHERE id = :id"),
                         {"t": total, "id": fund_accounts[community_id]})
    if loader.postgres:
        conn.execute(text("SET session_replication_role = origin"))
        echo(f"rebuilding {len(indexes)} indexes …")
        for index in indexes:
            index.create(conn)
        for table in ids:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                              f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"))
    elapsed = time.monotonic() - started
    return {"district": district.code, "residents": residents, "records": done_records, "rows": loader.rows,
            "seconds": round(elapsed, 1)}


RECORD_COLUMNS = [
    "id", "district_id", "subject_type", "resident_id", "merchant_id", "subject_id", "community_id", "item_id",
    "item_version_id", "points", "severity", "category", "status", "occurred_at", "note", "source_ref", "logged_by",
    "logged_by_user_id", "reviewed_by_user_id", "reviewed_at", "review_note", "notice_ends_at", "finalised_at",
    "voided_at", "void_reason", "repaired_at", "created_at",
]


def _ensure_reviewers(district):
    """A district admin of the scale district (reviews the generated records; benchmark logins)."""
    from backend.auth.models import RoleAssignment, User

    user = db.session.execute(select(User).where(User.username == "rc-admin")).scalar_one_or_none()
    if user is None:
        user = User(district_id=district.id, username="rc-admin", display_name="荣成信用中心",
                    password_hash=hash_secret("chengxin-admin"))
        user.roles.append(RoleAssignment(role="district_admin", community_id=None))
        db.session.add(user)
        db.session.flush()
    return user.id


def _fund_accounts(conn, loader, district, communities, ids):
    from backend.ledger.models import Account

    found = dict(db.session.execute(
        select(Account.owner_id, Account.id).where(Account.kind == "community_fund", Account.owner_id.in_(communities))
    ).all())
    rows = []
    for community_id in communities:
        if community_id not in found:
            found[community_id] = ids["accounts"]
            rows.append((ids["accounts"], district.id, "community_fund", community_id, 0, True,
                         datetime(2018, 1, 1)))
            ids["accounts"] += 1
    loader.write("accounts", ["id", "district_id", "kind", "owner_id", "balance", "allow_negative", "created_at"],
                 rows)
    return found


def bench_fixtures(district):
    """What the benchmark's paths need in the scale district (idempotent), made through the services.

    One village V gets a credit supermarket with a well-stocked 1-point item, a
    kiosk, and a worker; 20 merchants join the alliance with a staff account each.
    """
    from backend.auth.models import User
    from backend.auth.service import create_staff, login_user, roles_claim
    from backend.common.auth import Principal
    from backend.credit.models import CatalogueItem, CatalogueItemVersion
    from backend.devices.models import KioskDevice
    from backend.devices.service import pair_device, register_device, repair_device
    from backend.ledger.service import ensure_account
    from backend.merchants import service as merchants
    from backend.merchants.models import Merchant
    from backend.residents.models import Resident
    from backend.supermarket import service as supermarket
    from backend.supermarket.models import Supermarket, SupermarketItem

    admin = db.session.execute(select(User).where(User.username == "rc-admin")).scalar_one()
    principal = Principal(kind="staff", id=admin.id, district_id=district.id, roles=roles_claim(admin),
                          name=admin.display_name)
    village = db.session.execute(
        select(Community.id).where(Community.district_id == district.id).order_by(Community.id).limit(1)
    ).scalar_one()
    shop = db.session.execute(select(Supermarket).where(Supermarket.district_id == district.id)).scalars().first()
    if shop is None:
        shop = supermarket.create_supermarket(principal, {"community_id": village, "name_zh": "荣成信用超市",
                                                          "name_en": "Rongcheng credit supermarket"})
    item = db.session.execute(select(SupermarketItem).where(SupermarketItem.supermarket_id == shop.id)).scalars().first()
    if item is None:
        item = supermarket.create_item(principal, shop.id, {"name_zh": "肥皂", "name_en": "Soap", "category": "daily",
                                                            "price_points": 1, "low_stock_at": 5, "active": True})
        supermarket.record_intake(principal, shop.id, item.id, {"quantity": 50_000_000, "donor_name": "荣成市政府",
                                                                "donor_kind": "government"})
    device = db.session.execute(select(KioskDevice).where(KioskDevice.supermarket_id == shop.id)).scalars().first()
    if device is None:
        device, _code = register_device(principal, {"name": "荣成自助终端", "community_id": village,
                                                    "supermarket_id": shop.id})
    if device.session_id is None:
        # kiosk sessions are only valid on a paired device
        pair_device(repair_device(principal, device.id)[1])
    worker = db.session.execute(select(User).where(User.username == "rc-worker")).scalar_one_or_none()
    if worker is None:
        create_staff(principal, {"username": "rc-worker", "display_name": "荣成采集员", "password": "chengxin-worker",
                                 "roles": [{"role": "worker", "community_id": village}]})
    merchant_ids = list(db.session.execute(
        select(Merchant.id).where(Merchant.district_id == district.id).order_by(Merchant.id)).scalars())
    for n in range(len(merchant_ids), 20):
        merchant = merchants.create_merchant(principal, {
            "name": f"荣成联盟商家{n + 1}", "category": ("barber", "bathhouse", "car_wash", "restaurant")[n % 4],
            "address": f"荣成市成山大道{n + 1}号", "licence_no": f"91371082MA3D{n:04d}", "contact_phone": "13906310000",
            "community_id": village})
        merchants.change_status(principal, merchant.id, "approve")
        create_staff(principal, {"username": f"rc-merchant{n + 1}", "display_name": f"店员{n + 1}",
                                 "password": "chengxin-merchant", "merchant_id": merchant.id, "roles": []})
        merchant_ids.append(merchant.id)
    record_item = _uncapped_item(district, village)
    village_residents = list(db.session.execute(
        select(Resident.id).where(Resident.community_id == village).order_by(Resident.id)).scalars())
    db.session.flush()
    return {
        "supermarket_id": shop.id, "item_id": item.id, "device_id": device.id, "device_sid": device.session_id,
        "village_id": village,
        "supermarket_account_id": ensure_account(district.id, "supermarket", shop.id).id,
        "merchant_ids": merchant_ids,
        "merchant_tokens": [login_user(f"rc-merchant{n + 1}", "chengxin-merchant")["access_token"]
                            for n in range(len(merchant_ids))],
        "worker_token": login_user("rc-worker", "chengxin-worker")["access_token"],
        "worker_residents": village_residents, "record_item_id": record_item,
    }


def _uncapped_item(district, village):
    """A village item without a cap or evidence, so a worker may log it again and again."""
    from backend.credit import catalogue
    from backend.credit.models import CatalogueItem

    found = db.session.execute(select(CatalogueItem.id).where(
        CatalogueItem.district_id == district.id, CatalogueItem.code == "help_neighbours")).scalar_one_or_none()
    if found is not None:
        return found
    view = catalogue.create_item(None, {
        "code": "help_neighbours", "title_zh": "邻里互助", "title_en": "Helping neighbours", "category": "family_neighbours",
        "points": 2, "cap_count": None, "cap_period": None, "evidence_required": False, "severity": None,
        "variable_points": False, "active": True, "subject_type": "resident", "effective_from": datetime(2018, 1, 1).date(),
        "scope": "community", "district_id": district.id, "town_id": None, "community_id": village,
    }, actor="seed")
    return view["id"]
