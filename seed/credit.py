"""Demo credit data: the district policy, a catalogue drawn from the seed articles, and records
in every state, with points given through the ledger. Idempotent: items are found by code,
the policy by district, and records are only made when no seeded record exists yet.
"""
import io
from datetime import date, datetime, timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from backend.auth.service import roles_claim
from backend.common.auth import Principal
from backend.common.time import utcnow
from backend.credit import catalogue, objections, repairs, service
from backend.credit.models import CatalogueItem, CreditPolicy, CreditRecord
from backend.credit.policy import DEFAULTS, district_policy
from backend.extensions import db

#: the catalogue is in force from the programme's start
CATALOGUE_FROM = date(2018, 1, 1)

# code, 中文, English, category, points, cap (count, period) or None, evidence required, severity, variable
DISTRICT_ITEMS = [
    # volunteering 志愿服务
    ("volunteer_service", "参加志愿服务（按服务时长、内容、质量计分）", "Volunteer service (scored by hours, kind and quality)",
     "volunteering", 2, None, False, None, True),
    ("volunteer_teaching", "义务辅导留守儿童功课", "Tutoring left-behind children for free", "volunteering", 3,
     (4, "month"), False, None, False),
    ("elderly_visit", "探望、照料孤寡老人", "Visiting and caring for elderly people living alone", "volunteering", 2,
     (4, "month"), False, None, False),
    # environment 环境卫生
    ("village_cleanup", "参加村庄环境整治", "Joining the village clean-up", "environment", 2, (4, "month"), False, None,
     False),
    ("garbage_sorting", "垃圾分类做得好", "Sorting household waste well", "environment", 1, (4, "month"), False, None, False),
    ("tree_planting", "义务植树", "Planting trees voluntarily", "environment", 2, (2, "year"), False, None, False),
    ("beautiful_courtyard", "评为“美丽庭院”", "Named a “beautiful courtyard”", "environment", 5, (1, "quarter"), True, None,
     False),
    ("frontage_duties_kept", "门前三包落实到位", "Keeping the frontage duties (门前三包: clean, green, orderly)",
     "environment", 1, (1, "month"), False, None, False),
    # family and neighbours 家庭邻里
    ("filial_piety", "孝老爱亲先进典型", "Model of caring for elders and family", "family_neighbours", 10, (1, "year"), True,
     None, False),
    ("model_family", "评为“好婆婆”“好媳妇”“文明家庭”", "Named a model mother-in-law, daughter-in-law or civilised family",
     "family_neighbours", 15, (1, "year"), True, None, False),
    ("neighbour_help", "邻里互助", "Helping neighbours", "family_neighbours", 2, (4, "month"), False, None, False),
    ("dispute_mediation", "调解邻里纠纷", "Mediating a dispute between neighbours", "family_neighbours", 3, (2, "month"),
     False, None, False),
    # honesty 诚实守信
    ("return_lost_property", "拾金不昧", "Returning lost property", "honesty", 10, None, True, None, False),
    ("credit_pledge", "签订信用承诺书", "Signing the credit pledge", "honesty", 2, (1, "year"), False, None, False),
    ("fees_paid_on_time", "按时缴纳水电费、物业费", "Paying water, power and property fees on time", "honesty", 1,
     (1, "quarter"), False, None, False),
    ("honour_award", "获得县级以上表彰（如五一劳动奖章）", "Honoured at county level or above (e.g. May Day Labour Medal)",
     "honesty", 15, (2, "year"), True, None, False),
    ("honest_youth", "学生获评“诚信少年”", "Pupil named an “honest youth”", "honesty", 5, (1, "year"), True, None, False),
    # public safety 公共安全
    ("brave_deed", "见义勇为", "Acting bravely to help others", "public_safety", 30, None, True, None, False),
    ("hazard_report", "及时报告火情、险情", "Reporting a fire or hazard in time", "public_safety", 5, (4, "month"), False,
     None, False),
    ("safety_patrol", "参加社区治安巡防", "Joining the neighbourhood safety patrol", "public_safety", 2, (8, "month"), False,
     None, False),
    ("food_safety_report", "举报食品药品安全问题（经查实）", "Reporting a food or drug safety problem (confirmed)",
     "public_safety", 3, (3, "month"), True, None, False),
    # epidemic prevention 疫情防控
    ("checkpoint_duty", "疫情防控卡口值守", "Duty at an epidemic checkpoint", "epidemic_prevention", 3, (10, "month"),
     False, None, False),
    ("outbreak_medical_aid", "驰援疫区医护人员", "Medical aid to an outbreak area", "epidemic_prevention", 20, (1, "year"),
     True, None, False),
    ("epidemic_donation", "疫情期间爱心捐赠", "Donating during an epidemic", "epidemic_prevention", 5, (3, "year"), True,
     None, False),
    # civility 文明新风
    ("simple_ceremony", "移风易俗，红白事简办", "Keeping weddings and funerals simple", "civility", 5, (1, "year"), False,
     None, False),
    ("illegal_building_removed", "主动拆除违章建筑", "Removing an illegal building voluntarily", "civility", 10,
     (1, "year"), True, None, False),
    ("tomb_rectified", "配合豪华墓地整改", "Bringing a lavish tomb into line", "civility", 5, (1, "year"), True, None, False),
    ("enlisting", "参军入伍", "Enlisting in the army", "civility", 20, (1, "year"), True, None, False),
    # charity 公益慈善
    ("charitable_donation", "爱心捐赠", "Charitable donation", "public_good", 5, (4, "year"), True, None, False),
    ("blood_donation", "无偿献血", "Voluntary blood donation", "public_good", 10, (2, "year"), True, None, False),
    # negatives
    ("illegal_parking", "违规停车", "Illegal parking", "civility", -2, None, False, "minor", False),
    ("fire_lane_blocked", "占用消防通道", "Blocking a fire lane", "public_safety", -5, None, True, "minor", False),
    ("frontage_duties_neglected", "门前三包落实不到位", "Neglecting the frontage duties (门前三包)", "environment", -3,
     None, False, "minor", False),
    ("littering", "乱扔垃圾、乱倒污水", "Littering or dumping waste water", "environment", -2, None, False, "minor", False),
    ("open_burning", "焚烧秸秆、垃圾", "Burning straw or rubbish in the open", "environment", -5, None, True, "minor", False),
    ("lockdown_gathering", "疫情期间扎堆聚集", "Gathering in groups during a lockdown", "epidemic_prevention", -5, None,
     False, "minor", False),
    ("epidemic_control_refused", "拒不配合疫情防控", "Refusing epidemic control measures", "epidemic_prevention", -20,
     None, True, "serious", False),
    ("illegal_construction", "私搭乱建", "Illegal construction", "civility", -10, None, True, "minor", False),
    ("lavish_ceremony", "大操大办红白事", "Lavish weddings or funerals", "civility", -5, None, False, "minor", False),
    ("unsafe_wiring", "私拉电线、堆放易燃物", "Unsafe wiring or stored flammables", "public_safety", -5, None, False,
     "minor", False),
    ("neighbour_fight", "邻里打架斗殴", "Fighting with neighbours", "family_neighbours", -10, None, False, "minor", False),
    ("elder_neglect", "不履行赡养义务", "Failing to support elderly parents", "family_neighbours", -20, None, True,
     "serious", False),
    ("gambling", "参与赌博", "Gambling", "law_order", -10, None, False, "minor", False),
    ("fee_arrears", "恶意拖欠水电费、物业费", "Wilfully owing water, power or property fees", "honesty", -5, None, False,
     "minor", False),
    ("court_defaulter", "列入失信被执行人名单", "Listed as a court judgement defaulter (失信被执行人)", "honesty", -50,
     None, True, "serious", False),
    ("false_information", "提供虚假材料、弄虚作假", "Giving false information", "honesty", -10, None, True, "serious",
     False),
    ("dog_nuisance", "遛狗不拴绳、不清理粪便", "Dog off the lead or its mess left behind", "civility", -1, None, False,
     "minor", False),
]

MERCHANT_ITEMS = [
    # the policy sets the points per sale and the daily cap of merchant_discount_given
    ("merchant_discount_given", "为诚信居民提供信用折扣", "Gave a credit discount to a trusted resident", "honesty", 1,
     None, False, None, False),
    ("merchant_good_rating", "顾客好评", "Good rating from a customer", "business", 1, (10, "day"), False, None, False),
    ("merchant_bad_rating", "顾客差评", "Bad rating from a customer", "business", -2, None, False, "minor", False),
    ("merchant_clear_prices", "明码标价、诚信经营", "Clear prices and honest dealing", "business", 5, (1, "quarter"), False,
     None, False),
    ("merchant_short_weight", "短斤缺两", "Selling short weight", "business", -10, None, True, "minor", False),
    ("merchant_fake_goods", "销售假冒伪劣商品", "Selling fake or shoddy goods", "business", -30, None, True, "serious",
     False),
]

#: town and community items: additions and one override (西楼村 values its clean-up more)
TOWN_ITEMS = {
    "MS": [("reservoir_patrol", "米山水库巡护", "Patrolling the Mishan reservoir", "public_safety", 3, (4, "month"), False,
            None, False)],
}
COMMUNITY_ITEMS = {
    "XL": [
        ("village_cleanup", "参加村庄环境整治（西楼村）", "Joining the village clean-up (Xilou)", "environment", 3,
         (4, "month"), False, None, False),
        ("orchard_watch", "看护村集体果园", "Watching over the village orchard", "public_good", 2, (4, "month"), False, None,
         False),
    ],
}


def _item_data(row, subject_type="resident"):
    code, zh, en, category, points, cap, evidence, severity, variable = row
    return {"code": code, "title_zh": zh, "title_en": en, "category": category, "points": points,
            "cap_count": cap[0] if cap else None, "cap_period": cap[1] if cap else None,
            "evidence_required": evidence, "severity": severity, "variable_points": variable, "active": True,
            "subject_type": subject_type, "effective_from": CATALOGUE_FROM}


def _ensure_item(district_id, scope, row, subject_type="resident", town_id=None, community_id=None):
    key = catalogue.scope_key(scope, town_id, community_id)
    found = db.session.execute(select(CatalogueItem).where(
        CatalogueItem.district_id == district_id, CatalogueItem.scope_key == key, CatalogueItem.code == row[0]
    )).scalar_one_or_none()
    if found is not None:
        return found, False
    data = {**_item_data(row, subject_type), "scope": scope, "district_id": district_id, "town_id": town_id,
            "community_id": community_id}
    view = catalogue.create_item(None, data, actor="seed")
    return db.session.get(CatalogueItem, view["id"]), True


def seed_catalogue(district_id, towns=None, communities=None):
    """Every item of the demo catalogue (idempotent); returns how many were created."""
    created = 0
    for row in DISTRICT_ITEMS:
        created += _ensure_item(district_id, "district", row)[1]
    for row in MERCHANT_ITEMS:
        created += _ensure_item(district_id, "district", row, "merchant")[1]
    for code, rows in TOWN_ITEMS.items():
        if towns and code in towns:
            for row in rows:
                created += _ensure_item(district_id, "town", row, town_id=towns[code].id)[1]
    for code, rows in COMMUNITY_ITEMS.items():
        if communities and code in communities:
            for row in rows:
                created += _ensure_item(district_id, "community", row, community_id=communities[code].id)[1]
    return created


def seed_policy(district_id):
    if db.session.execute(select(CreditPolicy.id).where(CreditPolicy.district_id == district_id)).first():
        return False
    policy = CreditPolicy(district_id=district_id, version=1, effective_from=datetime(2018, 1, 1),
                          note="文登区个人信用积分管理办法（演示）/ Wendeng personal credit rules (demo)",
                          created_by="seed")
    for name, value in DEFAULTS.items():
        setattr(policy, name, value)
    db.session.add(policy)
    db.session.flush()
    return True


def _principal(user):
    return Principal(kind="staff", id=user.id, district_id=user.district_id, roles=roles_claim(user),
                     name=user.display_name)


def _photo(principal, rng):
    """A small generated PNG standing in for a worker's photo."""
    from PIL import Image

    image = Image.new("RGB", (64, 48), tuple(rng.randrange(80, 220) for _ in range(3)))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    from backend.credit.evidence import save_evidence

    return save_evidence(principal, FileStorage(buffer, filename="现场照片.png", content_type="image/png")).id


#: resident index, item, minutes after seeding at which its public notice ends
NOTICE_ENDING_SOON = [(76, "village_cleanup", 2), (77, "neighbour_help", 5), (80, "garbage_sorting", 10)]
#: the resident whose minor deduction is final long enough ago to ask for credit repair
REPAIR_READY = 24


def seed_records(context):
    """Records in every state; skipped when seeded records exist already."""
    if db.session.execute(select(CreditRecord.id).where(CreditRecord.source_ref.like("seed:%")).limit(1)).first():
        return 0
    rng, users, district = context["rng"], context["users"], context["district"]
    residents, communities = context["residents"], context["communities"]
    workers = {c: _principal(users["worker1"]) for c in ("XL", "DL")}
    workers.update({c: _principal(users["worker2"]) for c in ("MSC", "LSC")})
    reviewers = {c: _principal(users["reviewer1"]) for c in ("XL", "DL")}
    reviewers.update({c: _principal(users["reviewer2"]) for c in ("MSC", "LSC")})
    code_of = {community.id: code for code, community in communities.items()}
    now = utcnow()
    counter = iter(range(1, 100000))

    def log(resident, code, days_ago, note=None, points=None):
        community_code = code_of[resident.community_id]
        worker = workers[community_code]
        item = catalogue.find_item(code, district_id=district.id, community_id=resident.community_id)
        version = catalogue.latest_version(item)
        evidence = [_photo(worker, rng)] if version.evidence_required else None
        occurred_at = now - timedelta(days=days_ago, hours=rng.randrange(1, 9))
        return service.create_record(worker, resident.id, item.id, occurred_at, note, points=points,
                                     source_ref=f"seed:{next(counter)}", evidence_ids=evidence)

    def approve(record, days_ago):
        reviewer = reviewers[code_of[record.community_id]]
        return service.approve_record(reviewer, record.id, "核实无误 / checked", now=now - timedelta(days=days_ago))

    def approve_ending_soon(record, minutes):
        """Approved so long ago that its public notice ends ``minutes`` after seeding (the job then finalises it)."""
        notice_days = district_policy(district.id, now).notice_days
        reviewer = reviewers[code_of[record.community_id]]
        return service.approve_record(reviewer, record.id, "核实无误 / checked",
                                      now=now - timedelta(days=notice_days) + timedelta(minutes=minutes))

    # 信用示范户: the first household of 西楼村 (residents 0, 4 and 8) and a few others reach five stars
    for index in (0, 4, 8, 1, 2):
        resident = residents[index]
        for code, days in (("brave_deed", 200), ("honour_award", 190), ("model_family", 180)):
            approve(log(resident, code, days, "村民推荐，经核实"), days - 2)
    # ordinary good deeds for many residents, approved long ago
    everyday = ["village_cleanup", "neighbour_help", "checkpoint_duty", "garbage_sorting", "safety_patrol",
                "elderly_visit", "credit_pledge", "return_lost_property", "tree_planting", "blood_donation"]
    for index in range(3, 60):
        resident = residents[index]
        for n, code in enumerate(rng.sample(everyday, rng.randrange(1, 4))):
            record = log(resident, code, 40 + 15 * n)
            approve(record, 35 + 15 * n)
        if index % 7 == 0:  # volunteer hours: 3 h × 2 points × quality 1.0
            approve(log(resident, "volunteer_service", 30, "敬老院志愿服务 3 小时", points=6), 28)
    # deductions: minor ones (one will be repaired) and serious ones (black list)
    parking = approve(log(residents[10], "illegal_parking", 150, "占道停车，经劝导未改"), 148)
    approve(log(residents[13], "fire_lane_blocked", 60, "楼道口停放电动车堵塞消防通道"), 58)
    approve(log(residents[17], "littering", 45), 43)
    approve(log(residents[21], "court_defaulter", 100, "法院失信被执行人名单推送"), 98)
    approve(log(residents[22], "epidemic_control_refused", 90, "拒不配合核酸检测"), 88)
    # ready for credit repair: a minor deduction final long enough ago (the policy's wait is over)
    approve(log(residents[REPAIR_READY], "littering", 160, "在村口倾倒生活垃圾"), 158)
    service.finalise_due(now - timedelta(days=130))
    service.finalise_due(now - timedelta(days=20))
    # credit repair of the parking deduction, long since corrected
    repair = repairs.apply_repair(Principal(kind="resident", id=residents[10].id, district_id=district.id),
                                  parking.id, "本人已认识到违规停车的危害，承诺今后规范停车，主动参加志愿服务。",
                                  4, now=now - timedelta(days=10))
    repairs.decide_repair(reviewers[code_of[parking.community_id]], repair.id, True, "表现良好，同意修复",
                          now=now - timedelta(days=8))
    # on the notice board now
    for index, code in ((60, "village_cleanup"), (61, "return_lost_property"), (62, "neighbour_help"),
                        (63, "checkpoint_duty"), (64, "illegal_parking"), (65, "dispute_mediation")):
        approve(log(residents[index], code, 3), 1)
    # public notice ends a few minutes after seeding: `flask jobs run` then makes them final
    for index, code, minutes in NOTICE_ENDING_SOON:
        approve_ending_soon(log(residents[index], code, 8), minutes)
    # disputed: a neighbour says the clean-up did not happen
    disputed = approve(log(residents[68], "village_cleanup", 4), 2)
    neighbour = next(r for r in residents if r.community_id == disputed.community_id and r.id != residents[68].id)
    objections.raise_objection(Principal(kind="resident", id=neighbour.id, district_id=district.id), disputed.id,
                               "当天我在现场，这位村民并没有参加清扫。", now=now - timedelta(days=1))
    # waiting for review, and one turned down
    for index, code in ((70, "neighbour_help"), (71, "safety_patrol"), (72, "garbage_sorting"), (73, "tree_planting")):
        log(residents[index], code, 2)
    rejected = log(residents[74], "village_cleanup", 5)
    service.reject_record(reviewers[code_of[rejected.community_id]], rejected.id, "当天没有组织环境整治活动")
    # merchants earn credit from discounts and ratings
    for n, merchant in enumerate(context.get("merchants") or []):
        for sale in range(3 + n):
            service.record_system_credit(district_id=district.id, subject_type="merchant", subject_id=merchant.id,
                                         item_code="merchant_discount_given",
                                         source_ref=f"seed:sale:{merchant.id}:{sale}",
                                         occurred_at=now - timedelta(days=sale + 1))
        service.record_system_credit(district_id=district.id, subject_type="merchant", subject_id=merchant.id,
                                     item_code="merchant_good_rating", source_ref=f"seed:rating:{merchant.id}",
                                     occurred_at=now - timedelta(days=2))
    return next(counter) - 1


def seed(context):
    district = context["district"]
    summary = context.get("summary", {})
    summary["credit_policy_created"] = seed_policy(district.id)
    summary["catalogue_items_created"] = seed_catalogue(district.id, context.get("towns"), context.get("communities"))
    summary["credit_records_created"] = seed_records(context)
