"""Routes of the objections, repairs, volunteering, supermarkets and merchants reports: JSON, and the
same figures as an XLSX download, under ``/api/v1/reports`` like the others (a blueprint of their own:
``routes`` stays as the roll-up rework leaves it)."""
from ..common.auth import STAFF_ROLES, auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.xlsx import XLSX, xlsx_response
from ..merchants.models import CATEGORIES
from . import activity, commerce
from .activity_schemas import (
    MerchantsReportSchema, ObjectionsReportSchema, RepairsReportSchema, SupermarketsReportSchema,
    VolunteeringReportSchema,
)
from .cache import cached_report
from .routes import _columns, _english, _name
from .schemas import ReportArgs

bp = Blueprint("activity_reports", __name__, url_prefix="/api/v1/reports",
               description="Reports on objections, repairs, volunteering, credit supermarkets and merchants "
                           "(read-only; each also as an XLSX download)")
staff = auth_required("staff", roles=list(STAFF_ROLES))

DONOR_KINDS = {"government": ("政府", "Government"), "school": ("学校", "School"), "company": ("企业", "Company"),
               "individual": ("个人", "Individual")}
MERCHANT_STATUSES = {"pending": ("待审核", "Pending"), "approved": ("已加入", "Approved"),
                     "suspended": ("已暂停", "Suspended"), "expelled": ("已除名", "Expelled")}


def _label(table, code):
    zh, en = table.get(code, (code, code))
    return en if _english() else zh


def _yuan(key):
    return lambda row: round(row[key] / 100, 2)


OBJECTION_COLUMNS = [
    ("月份", "Month", "month"), ("提出", "Filed", "filed"), ("成立", "Upheld", "upheld"),
    ("驳回", "Dismissed", "dismissed"), ("未处理", "Open", "open"), ("已超期", "Overdue", "overdue"),
    ("超期后处理", "Decided late", "decided_late"),
]


@bp.route("/objections", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, ObjectionsReportSchema)
@cached_report(ObjectionsReportSchema)
def objections_report(args):
    """Objections (异议) by month filed: upheld, dismissed, open and overdue."""
    return activity.objections_report(current_principal(), args)


@bp.route("/objections.xlsx", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, content_type=XLSX, description="Objections per month as an XLSX workbook")
def objections_report_xlsx(args):
    """Objections per month as an XLSX download."""
    report = activity.objections_report(current_principal(), args)
    return xlsx_response("objections.xlsx", [("异议", _columns(OBJECTION_COLUMNS), report["months"])])


REPAIR_COLUMNS = [
    ("月份", "Month", "month"), ("申请", "Applied", "applied"), ("批准", "Approved", "approved"),
    ("驳回", "Rejected", "rejected"), ("待审核", "Pending", "pending"), ("恢复信用分", "Points restored", "points_restored"),
]


@bp.route("/repairs", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, RepairsReportSchema)
@cached_report(RepairsReportSchema)
def repairs_report(args):
    """Credit repair requests (信用修复) by month applied: approved, rejected, pending, points restored."""
    return activity.repairs_report(current_principal(), args)


@bp.route("/repairs.xlsx", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, content_type=XLSX, description="Repairs per month as an XLSX workbook")
def repairs_report_xlsx(args):
    """Repairs per month as an XLSX download."""
    report = activity.repairs_report(current_principal(), args)
    return xlsx_response("repairs.xlsx", [("信用修复", _columns(REPAIR_COLUMNS), report["months"])])


_VOLUNTEER_FIGURES = [("志愿者", "Volunteers", "volunteers"), ("活动", "Activities", "activities"),
                      ("时长（小时）", "Hours", "hours"), ("积分", "Points", "points")]
VOLUNTEER_COLUMNS = [("月份", "Month", "month"), ("镇街", "Town", lambda r: _name(r, "town")),
                     ("村社区", "Village", lambda r: _name(r, "community")), *_VOLUNTEER_FIGURES]
VOLUNTEER_VILLAGE_COLUMNS = [("镇街", "Town", lambda r: _name(r, "town")),
                             ("村社区", "Village", lambda r: _name(r, "community")), *_VOLUNTEER_FIGURES]


@bp.route("/volunteering", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, VolunteeringReportSchema)
@cached_report(VolunteeringReportSchema)
def volunteering_report(args):
    """Volunteer hours and volunteers per village and month (志愿服务)."""
    return activity.volunteering_report(current_principal(), args)


@bp.route("/volunteering.xlsx", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, content_type=XLSX, description="Volunteering per village and month as an XLSX workbook")
def volunteering_report_xlsx(args):
    """Volunteering per village and month as an XLSX download (a second sheet: the period per village)."""
    report = activity.volunteering_report(current_principal(), args)
    return xlsx_response("volunteering.xlsx", [
        ("按月", _columns(VOLUNTEER_COLUMNS), report["rows"]),
        ("按村社区", _columns(VOLUNTEER_VILLAGE_COLUMNS), report["villages"]),
    ])


SUPERMARKET_MONTH_COLUMNS = [
    ("月份", "Month", "month"), ("兑换订单", "Orders", "orders"), ("兑换积分", "Points spent", "points_spent"),
    ("取消订单", "Cancelled", "cancelled"), ("退回积分", "Points refunded", "points_refunded"),
    ("净兑换积分", "Net points", "points_net"),
]
SUPERMARKET_SHOP_COLUMNS = [
    ("超市", "Supermarket", lambda r: _name(r, "name")), ("村社区", "Village", lambda r: _name(r, "community")),
    ("商品数", "Items", "items"), ("在售商品", "Items on sale", "active_items"), ("库存件数", "Units in stock", "stock"),
    ("库存积分价值", "Stock value (points)", "stock_points"), ("库存不足", "Low stock", "low_stock"),
    ("期间订单", "Orders", "orders"), ("期间净兑换积分", "Net points", "points_net"),
]
DONOR_COLUMNS = [
    ("月份", "Month", "month"), ("捐赠方类别", "Donor kind", lambda r: _label(DONOR_KINDS, r["donor_kind"])),
    ("捐赠方", "Donor", "donor_name"), ("入库次数", "Intakes", "intakes"), ("件数", "Units", "quantity"),
    ("积分价值", "Value (points)", "points_value"),
]


@bp.route("/supermarkets", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, SupermarketsReportSchema)
@cached_report(SupermarketsReportSchema)
def supermarkets_report(args):
    """Credit supermarkets: redemptions per month (reconciles with the ledger), stock on hand, donors' intake."""
    return commerce.supermarkets_report(current_principal(), args)


@bp.route("/supermarkets.xlsx", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, content_type=XLSX, description="The supermarkets report as an XLSX workbook (three sheets)")
def supermarkets_report_xlsx(args):
    """The supermarkets report as an XLSX download: redemptions, stock, donors."""
    report = commerce.supermarkets_report(current_principal(), args)
    return xlsx_response("supermarkets.xlsx", [
        ("兑换", _columns(SUPERMARKET_MONTH_COLUMNS), report["months"]),
        ("库存", _columns(SUPERMARKET_SHOP_COLUMNS), report["shops"]),
        ("捐赠入库", _columns(DONOR_COLUMNS), report["donors"]),
    ])


_MERCHANT_FIGURES = [
    ("优惠笔数", "Discounts given", "sales"), ("消费金额（元）", "Bills (yuan)", _yuan("bill_amount")),
    ("优惠金额（元）", "Discount (yuan)", _yuan("discount_amount")), ("作废笔数", "Voided", "voided"),
    ("评价数", "Ratings", "ratings"), ("平均评分", "Average rating", "average_rating"),
]
MERCHANT_MONTH_COLUMNS = [("月份", "Month", "month"), *_MERCHANT_FIGURES]
MERCHANT_COLUMNS = [
    ("商家", "Merchant", "name"), ("类别", "Category", lambda r: _label(CATEGORIES, r["category"])),
    ("状态", "Status", lambda r: _label(MERCHANT_STATUSES, r["status"])),
    ("村社区", "Village", lambda r: _name(r, "community")), ("信用分", "Credit score", "score"),
    ("信用等级", "Level", "level"), *_MERCHANT_FIGURES,
]


@bp.route("/merchants", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, MerchantsReportSchema)
@cached_report(MerchantsReportSchema)
def merchants_report(args):
    """The merchant alliance: discounts given and ratings per month, merchants with their credit level."""
    return commerce.merchants_report(current_principal(), args)


@bp.route("/merchants.xlsx", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, content_type=XLSX, description="The merchants report as an XLSX workbook (two sheets)")
def merchants_report_xlsx(args):
    """The merchants report as an XLSX download: per month, and per merchant."""
    report = commerce.merchants_report(current_principal(), args)
    return xlsx_response("merchants.xlsx", [
        ("按月", _columns(MERCHANT_MONTH_COLUMNS), report["months"]),
        ("商家", _columns(MERCHANT_COLUMNS), report["merchants"]),
    ])
