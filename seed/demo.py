"""The demo district: `flask seed demo`. Idempotent — every row is found before it is made.

Logins (also in README.md):
  admin / chengxin-admin          district admin (信用中心)
  worker1 / chengxin-worker       community worker of 西楼村 and 东楼村
  worker2 / chengxin-worker       community worker of 米山社区 and 龙山社区
  reviewer1 / chengxin-reviewer   reviewer (社区书记) of 西楼村 and 东楼村
  reviewer2 / chengxin-reviewer   reviewer of 米山社区 and 龙山社区
  barber / chengxin-merchant      staff of 老王理发店 (merchant)
  residents: phone 13800000001 … 13800000200, password chengxin-resident, kiosk PIN 123456
  kiosk pairing code: DEMOKIOSK1
"""
import importlib
import random
from datetime import timedelta

from sqlalchemy import select

from backend.auth.models import RoleAssignment, User
from backend.auth.passwords import hash_secret
from backend.common.time import utcnow
from backend.devices.models import KioskDevice
from backend.devices.service import _hash as pairing_hash
from backend.extensions import db
from backend.merchants.models import Merchant
from backend.org.models import Community, District, Household, Town
from backend.residents import idnumbers
from backend.residents.models import Resident

DISTRICT = {"code": "WD", "name_zh": "文登区", "name_en": "Wendeng District"}
TOWNS = [
    {"code": "MS", "name_zh": "米山镇", "name_en": "Mishan Town", "kind": "town"},
    {"code": "LS", "name_zh": "龙山街道", "name_en": "Longshan Street", "kind": "street"},
]
COMMUNITIES = [
    {"town": "MS", "code": "XL", "name_zh": "西楼村", "name_en": "Xilou Village", "kind": "village"},
    {"town": "MS", "code": "DL", "name_zh": "东楼村", "name_en": "Donglou Village", "kind": "village"},
    {"town": "LS", "code": "MSC", "name_zh": "米山社区", "name_en": "Mishan Community", "kind": "community"},
    {"town": "LS", "code": "LSC", "name_zh": "龙山社区", "name_en": "Longshan Community", "kind": "community"},
]
STAFF = [
    ("admin", "信用中心管理员", "chengxin-admin", [("district_admin", None)]),
    ("worker1", "刘采集", "chengxin-worker", [("worker", "XL"), ("worker", "DL")]),
    ("worker2", "陈采集", "chengxin-worker", [("worker", "MSC"), ("worker", "LSC")]),
    ("reviewer1", "王书记", "chengxin-reviewer", [("reviewer", "XL"), ("reviewer", "DL")]),
    ("reviewer2", "赵书记", "chengxin-reviewer", [("reviewer", "MSC"), ("reviewer", "LSC")]),
]
MERCHANTS = [
    {"name": "老王理发店", "category": "barber", "address": "文登区米山路12号", "licence_no": "91371081MA3C0001",
     "contact_name": "王师傅", "contact_phone": "13906310001", "staff": ("barber", "王师傅")},
    {"name": "清泉洗浴中心", "category": "bathhouse", "address": "文登区龙山路88号", "licence_no": "91371081MA3C0002",
     "contact_name": "李经理", "contact_phone": "13906310002", "staff": ("bathhouse", "李经理")},
    {"name": "诚信汽车美容", "category": "car_wash", "address": "文登区世纪大道5号", "licence_no": "91371081MA3C0003",
     "contact_name": "孙老板", "contact_phone": "13906310003", "staff": ("carwash", "孙老板")},
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "秀英桂兰玉珍凤兰淑华建国建华志强国庆明华丽娟海燕红梅晓东文杰春生德福金花永祥"
RESIDENTS = 200
RESIDENT_PASSWORD = "chengxin-resident"
RESIDENT_PIN = "123456"
KIOSK_PAIRING_CODE = "DEMOKIOSK1"
#: domains that add to the demo (``seed/<name>.py`` with ``seed(context)``), in order
EXTRA = ["seed.credit", "seed.cards", "seed.merchants", "seed.supermarket", "seed.volunteering"]


def _get_or_add(model, lookup, **values):
    found = db.session.execute(select(model).filter_by(**lookup)).scalar_one_or_none()
    if found is not None:
        return found, False
    obj = model(**lookup, **values)
    db.session.add(obj)
    db.session.flush()
    return obj, True


def _resident_name(rng):
    given = "".join(rng.choice([GIVEN[i:i + 2] for i in range(0, len(GIVEN), 2)]) for _ in range(1))
    return rng.choice(SURNAMES) + (given if rng.random() < 0.8 else given[0])


def seed_demo():
    rng = random.Random(2018)
    created = {"residents": 0, "households": 0}
    district, _ = _get_or_add(District, {"code": DISTRICT["code"]}, name_zh=DISTRICT["name_zh"],
                              name_en=DISTRICT["name_en"])
    towns = {}
    for t in TOWNS:
        towns[t["code"]], _ = _get_or_add(Town, {"district_id": district.id, "code": t["code"]},
                                          name_zh=t["name_zh"], name_en=t["name_en"], kind=t["kind"])
    communities = {}
    for c in COMMUNITIES:
        communities[c["code"]], _ = _get_or_add(
            Community, {"district_id": district.id, "code": c["code"]}, town_id=towns[c["town"]].id,
            name_zh=c["name_zh"], name_en=c["name_en"], kind=c["kind"])
    hashes = {}

    def hashed(secret):
        if secret not in hashes:
            hashes[secret] = hash_secret(secret)
        return hashes[secret]

    users = {}
    for username, name, password, roles in STAFF:
        user, new = _get_or_add(User, {"username": username}, district_id=district.id, display_name=name,
                                password_hash=hashed(password))
        if new:
            for role, code in roles:
                user.roles.append(RoleAssignment(role=role, community_id=communities[code].id if code else None))
        users[username] = user
    community_list = list(communities.values())
    residents = []
    for i in range(RESIDENTS):
        community = community_list[i % len(community_list)]
        household_no = (i // len(community_list)) // 3  # about three people a household
        household, new = _get_or_add(Household, {"community_id": community.id, "code": f"H{household_no:04d}"},
                                     district_id=district.id, name=f"{SURNAMES[household_no % len(SURNAMES)]}家",
                                     address=f"{community.name_zh}{household_no + 1}号")
        created["households"] += new
        phone = f"138{i + 1:08d}"
        name = _resident_name(rng)
        first17 = f"371081{1940 + rng.randrange(0, 65):04d}{rng.randrange(1, 13):02d}{rng.randrange(1, 28):02d}{i:03d}"
        resident, new = _get_or_add(
            Resident, {"district_id": district.id, "phone": phone}, community_id=community.id,
            household_id=household.id, name=name, gender=rng.choice(["female", "male"]),
            birth_year=int(first17[6:10]), id_hash=idnumbers.id_hash(first17 + idnumbers.check_digit(first17)),
            id_last4=(first17 + idnumbers.check_digit(first17))[-4:],
            password_hash=hashed(RESIDENT_PASSWORD), pin_hash=hashed(RESIDENT_PIN))
        created["residents"] += new
        residents.append(resident)
    merchants = []
    for m in MERCHANTS:
        values = {k: v for k, v in m.items() if k not in ("name", "staff")}
        merchant, _ = _get_or_add(Merchant, {"district_id": district.id, "name": m["name"]}, status="approved",
                                  community_id=community_list[len(merchants)].id, **values)
        username, display = m["staff"]
        users[username], _ = _get_or_add(User, {"username": username}, district_id=district.id,
                                         display_name=display, password_hash=hashed("chengxin-merchant"),
                                         merchant_id=merchant.id)
        merchants.append(merchant)
    kiosk, new = _get_or_add(KioskDevice, {"district_id": district.id, "name": "西楼村信用超市自助终端"},
                             community_id=communities["XL"].id)
    if kiosk.paired_at is None:
        kiosk.pairing_code_hash = pairing_hash(KIOSK_PAIRING_CODE)
        kiosk.pairing_expires_at = utcnow() + timedelta(days=365)
    db.session.flush()
    context = {"district": district, "towns": towns, "communities": communities, "users": users,
               "residents": residents, "merchants": merchants, "kiosk": kiosk, "rng": rng, "summary": created}
    for name in EXTRA:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        module.seed(context)
        db.session.flush()
    created.update({"district": district.name_zh, "communities": len(communities), "staff": len(users),
                    "merchants": len(merchants), "kiosk": kiosk.name})
    return created
