"""A resident's own data (DESIGN, due process: the subject's right to know): everything the centre
holds about them, as JSON for the app and as an XLSX workbook with one sheet per part.

Only rows of the resident who asks are read (every query filters on their id); secrets never
leave: no ID number hash, no password or PIN hash. Times are ISO 8601 UTC in JSON and the
district's local time in the workbook.
"""
from datetime import date, datetime

from sqlalchemy import or_, select

from ..common.calendar import offset
from ..common.time import utcnow
from ..credit.models import CatalogueItem, CatalogueItemVersion, CreditRecord, Objection, RepairRequest
from ..credit.scoring import resident_standing
from ..extensions import db
from ..ledger.models import Account, Transfer
from ..merchants.models import Merchant, MerchantRating, Sale
from ..org.models import District
from ..residents.models import Resident, ResidentLookup
from ..supermarket.models import Supermarket, SupermarketOrder
from ..volunteering.models import VolunteerActivity, VolunteerCertificate, VolunteerParticipation
from .models import CreditReport

#: the parts, in the order of the workbook's sheets
PARTS = ("profile", "records", "objections", "repairs", "points", "lookups", "volunteering",
         "volunteer_certificates", "purchases", "ratings", "orders", "credit_reports")


def _profile(resident):
    standing = resident_standing(resident.id)
    community = resident.community
    district = db.session.get(District, resident.district_id)
    return [{
        "resident_id": resident.id, "name": resident.name, "gender": resident.gender,
        "birth_year": resident.birth_year, "phone": resident.phone, "id_last4": resident.id_last4,
        "district_zh": district.name_zh, "district_en": district.name_en,
        "town_zh": community.town.name_zh, "town_en": community.town.name_en,
        "community_zh": community.name_zh, "community_en": community.name_en,
        "household_code": resident.household.code if resident.household_id else None,
        "household_name": resident.household.name if resident.household_id else None,
        "status": resident.status, "has_password": resident.password_hash is not None,
        "has_pin": resident.pin_hash is not None, "registered_at": resident.created_at,
        "score": standing["score"], "stars": standing["stars"], "points": standing["points"],
    }]


def _records(resident_id):
    rows = db.session.execute(
        select(CreditRecord, CatalogueItem.code, CatalogueItemVersion.title_zh, CatalogueItemVersion.title_en)
        .join(CatalogueItem, CatalogueItem.id == CreditRecord.item_id)
        .join(CatalogueItemVersion, CatalogueItemVersion.id == CreditRecord.item_version_id)
        .where(CreditRecord.resident_id == resident_id).order_by(CreditRecord.id)
    ).all()
    return [{
        "record_id": r.id, "occurred_at": r.occurred_at, "item_code": code, "title_zh": zh, "title_en": en,
        "category": r.category, "points": r.points, "severity": r.severity, "status": r.status,
        "note": r.note, "logged_by": r.logged_by, "reviewed_at": r.reviewed_at, "review_note": r.review_note,
        "notice_ends_at": r.notice_ends_at, "finalised_at": r.finalised_at, "voided_at": r.voided_at,
        "void_reason": r.void_reason, "repaired_at": r.repaired_at, "created_at": r.created_at,
    } for r, code, zh, en in rows]


def _objections(resident_id):
    rows = db.session.execute(
        select(Objection).where(Objection.objector_resident_id == resident_id).order_by(Objection.id)).scalars()
    return [{"objection_id": o.id, "record_id": o.record_id, "reason": o.reason, "against_final": o.against_final,
             "status": o.status, "due_at": o.due_at, "decided_at": o.decided_at, "decision_note": o.decision_note,
             "created_at": o.created_at} for o in rows]


def _repairs(resident_id):
    rows = db.session.execute(
        select(RepairRequest).where(RepairRequest.resident_id == resident_id).order_by(RepairRequest.id)).scalars()
    return [{"repair_id": r.id, "record_id": r.record_id, "commitment": r.commitment,
             "volunteer_hours": r.volunteer_hours, "status": r.status, "decided_at": r.decided_at,
             "decision_note": r.decision_note, "created_at": r.created_at} for r in rows]


def _points(resident_id):
    """Every points movement of the resident's account: + in, − out."""
    account_id = db.session.execute(
        select(Account.id).where(Account.kind == "resident", Account.owner_id == resident_id)).scalar_one_or_none()
    if account_id is None:
        return []
    rows = db.session.execute(
        select(Transfer).where(or_(Transfer.from_account_id == account_id, Transfer.to_account_id == account_id))
        .order_by(Transfer.id)).scalars()
    return [{"transfer_id": t.id, "created_at": t.created_at, "kind": t.kind,
             "points": t.amount if t.to_account_id == account_id else -t.amount,
             "ref_type": t.ref_type, "ref_id": t.ref_id, "memo": t.memo} for t in rows]


def _lookups(resident_id):
    rows = db.session.execute(
        select(ResidentLookup).where(ResidentLookup.resident_id == resident_id).order_by(ResidentLookup.id)
    ).scalars()
    return [{"looked_up_at": row.created_at, "by": row.actor_name, "what": row.what} for row in rows]


def _volunteering(resident_id):
    rows = db.session.execute(
        select(VolunteerParticipation, VolunteerActivity.title_zh, VolunteerActivity.title_en,
               VolunteerActivity.starts_at, VolunteerActivity.place)
        .join(VolunteerActivity, VolunteerActivity.id == VolunteerParticipation.activity_id)
        .where(VolunteerParticipation.resident_id == resident_id).order_by(VolunteerParticipation.id)
    ).all()
    return [{"participation_id": p.id, "activity_zh": zh, "activity_en": en, "starts_at": starts, "place": place,
             "status": p.status, "signed_up_at": p.signed_up_at, "checked_in_at": p.checked_in_at,
             "checked_out_at": p.checked_out_at, "credited_minutes": p.credited_minutes, "points": p.points}
            for p, zh, en, starts, place in rows]


def _certificates(resident_id):
    rows = db.session.execute(select(VolunteerCertificate).where(VolunteerCertificate.resident_id == resident_id)
                              .order_by(VolunteerCertificate.id)).scalars()
    return [{"number": c.number, "year": c.year, "total_minutes": c.total_minutes, "issued_at": c.issued_at}
            for c in rows]


def _purchases(resident_id):
    rows = db.session.execute(
        select(Sale, Merchant.name).join(Merchant, Merchant.id == Sale.merchant_id)
        .where(Sale.resident_id == resident_id).order_by(Sale.id)).all()
    return [{"sale_id": s.id, "created_at": s.created_at, "merchant": name, "stars": s.stars,
             "discount_percent": s.discount_percent, "bill_amount": s.bill_amount,
             "discount_amount": s.discount_amount, "final_amount": s.final_amount, "status": s.status,
             "voided_at": s.voided_at} for s, name in rows]


def _ratings(resident_id):
    rows = db.session.execute(
        select(MerchantRating, Merchant.name).join(Merchant, Merchant.id == MerchantRating.merchant_id)
        .where(MerchantRating.resident_id == resident_id).order_by(MerchantRating.id)).all()
    return [{"sale_id": r.sale_id, "merchant": name, "stars": r.stars, "comment": r.comment,
             "created_at": r.created_at, "reply": r.reply} for r, name in rows]


def _orders(resident_id):
    rows = db.session.execute(
        select(SupermarketOrder, Supermarket.name_zh, Supermarket.name_en)
        .join(Supermarket, Supermarket.id == SupermarketOrder.supermarket_id)
        .where(SupermarketOrder.resident_id == resident_id).order_by(SupermarketOrder.id)).all()
    return [{"receipt_no": o.receipt_no, "created_at": o.created_at, "supermarket_zh": zh, "supermarket_en": en,
             "status": o.status, "total_points": o.total_points,
             "items": "; ".join(f"{line.item.name_zh} ×{line.quantity}" for line in o.lines),
             "collected_at": o.collected_at, "cancelled_at": o.cancelled_at} for o, zh, en in rows]


def _credit_reports(resident_id):
    rows = db.session.execute(select(CreditReport).where(CreditReport.resident_id == resident_id)
                              .order_by(CreditReport.id)).scalars()
    return [{"number": r.number, "period_from": r.period_from, "period_to": r.period_to, "purpose": r.purpose,
             "issued_by": r.issued_by, "issued_at": r.issued_at, "score": r.snapshot["score"],
             "stars": r.snapshot["stars"]} for r in rows]


def _collect(resident):
    rid = resident.id
    return {"profile": _profile(resident), "records": _records(rid), "objections": _objections(rid),
            "repairs": _repairs(rid), "points": _points(rid), "lookups": _lookups(rid),
            "volunteering": _volunteering(rid), "volunteer_certificates": _certificates(rid),
            "purchases": _purchases(rid), "ratings": _ratings(rid), "orders": _orders(rid),
            "credit_reports": _credit_reports(rid)}


def _utc_text(value):
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


def my_data(principal):
    """Everything held about the resident ``principal``, times as ISO 8601 UTC."""
    resident = db.session.get(Resident, principal.id)
    parts = _collect(resident)
    return {"exported_at": _utc_text(utcnow()), "resident_id": resident.id,
            **{name: [{key: _utc_text(value) for key, value in row.items()} for row in rows]
               for name, rows in parts.items()}}


#: sheet titles and column headers (zh, en) of the workbook
SHEETS = {
    "profile": ("个人信息", "Profile"), "records": ("信用记录", "Records"), "objections": ("异议", "Objections"),
    "repairs": ("信用修复", "Repairs"), "points": ("积分明细", "Points"), "lookups": ("查询记录", "Look-ups"),
    "volunteering": ("志愿服务", "Volunteering"), "volunteer_certificates": ("志愿服务证明", "Certificates"),
    "purchases": ("商家消费", "Purchases"), "ratings": ("商家评价", "Ratings"), "orders": ("超市兑换", "Orders"),
    "credit_reports": ("信用报告", "Credit reports"),
}


def _local(value):
    """ISO UTC text from ``my_data`` → the district's local wall-clock time, for people reading the sheet."""
    if isinstance(value, str) and len(value) == 20 and value.endswith("Z") and value[10] == "T":
        return (datetime.fromisoformat(value[:-1]) + offset()).strftime("%Y-%m-%d %H:%M")
    return value


#: column headers of the Chinese workbook (the English one reads the field names, "occurred at")
HEADERS_ZH = {
    "resident_id": "居民编号", "name": "姓名", "gender": "性别", "birth_year": "出生年份", "phone": "手机号",
    "id_last4": "身份证末四位", "district_zh": "区县", "district_en": "区县（英文）", "town_zh": "镇街",
    "town_en": "镇街（英文）", "community_zh": "村社区", "community_en": "村社区（英文）", "household_code": "户号",
    "household_name": "户名", "status": "状态", "has_password": "已设密码", "has_pin": "已设PIN",
    "registered_at": "登记时间", "score": "信用分", "stars": "星级", "points": "积分", "record_id": "记录编号",
    "occurred_at": "发生时间", "item_code": "事项代码", "title_zh": "事项", "title_en": "事项（英文）",
    "category": "类别", "severity": "严重程度", "note": "备注", "logged_by": "登记人", "reviewed_at": "审核时间",
    "review_note": "审核意见", "notice_ends_at": "公示截止", "finalised_at": "生效时间", "voided_at": "作废时间",
    "void_reason": "作废原因", "repaired_at": "修复时间", "created_at": "创建时间", "objection_id": "异议编号",
    "reason": "理由", "against_final": "针对已生效记录", "due_at": "答复期限", "decided_at": "处理时间",
    "decision_note": "处理意见", "repair_id": "修复申请编号", "commitment": "承诺", "volunteer_hours": "志愿服务时长",
    "transfer_id": "流水号", "kind": "类型", "ref_type": "关联类型", "ref_id": "关联编号", "memo": "说明",
    "looked_up_at": "查询时间", "by": "查询人", "what": "查询内容", "participation_id": "报名编号",
    "activity_zh": "活动", "activity_en": "活动（英文）", "starts_at": "开始时间", "place": "地点",
    "signed_up_at": "报名时间", "checked_in_at": "签到时间", "checked_out_at": "签退时间",
    "credited_minutes": "计入分钟数", "number": "编号", "year": "年度", "total_minutes": "总分钟数",
    "issued_at": "出具时间", "sale_id": "消费编号", "merchant": "商家", "discount_percent": "折扣（%）",
    "bill_amount": "消费金额", "discount_amount": "优惠金额", "final_amount": "实付金额", "comment": "评价",
    "reply": "商家回复", "receipt_no": "小票号", "supermarket_zh": "超市", "supermarket_en": "超市（英文）",
    "total_points": "积分合计", "items": "物品", "collected_at": "领取时间", "cancelled_at": "取消时间",
    "period_from": "起始日期", "period_to": "结束日期", "purpose": "用途", "issued_by": "出具人",
}

#: where one field name means another thing: a record's points are its score delta (分值), not 积分
HEADERS_ZH_BY_PART = {("records", "points"): "分值", ("points", "points"): "积分变动",
                      ("volunteering", "points"): "所得积分", ("ratings", "stars"): "评价星级",
                      ("purchases", "stars"): "消费时星级"}


def my_data_sheets(data, english=False):
    """``[(title, columns, rows)]`` for ``xlsx_response``: one sheet per part, times in local time."""
    sheets = []
    for part in PARTS:
        rows = data[part]
        keys = list(rows[0]) if rows else []
        title = SHEETS[part][1 if english else 0]
        columns = [(key.replace("_", " ") if english else HEADERS_ZH_BY_PART.get((part, key), HEADERS_ZH.get(key, key)),
                    (lambda key: lambda row: _local(row.get(key)))(key)) for key in keys]
        sheets.append((title, columns or [("—", lambda row: None)], rows))
    return sheets
