from flask import Blueprint as FlaskBlueprint
from flask import render_template, request

from ..common.auth import STAFF_ROLES, auth_required, current_principal
from ..common.blueprint import Blueprint
from ..common.pagination import PageArgs, page_of, split_page
from ..common.pdf import PDF, pdf_response
from ..common.qr import qr_svg
from ..errors import problem
from . import credit_reports, my_data, service
from .cache import cached_report
from .errors import CreditReportNotFound
from .schemas import (
    BacklogReportSchema, CreditReportCreateArgs, CreditReportQueryArgs, CreditReportSchema, HouseholdReportArgs,
    HouseholdsReportSchema, MyCreditReportCreateArgs, MyDataSchema, PointsReportSchema, RecordsReportSchema,
    ReportArgs, VillagesReportSchema,
)
from ..common.xlsx import XLSX, xlsx_response

bp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
               description="District reports and rankings (read-only; each also as an XLSX download)")
staff = auth_required("staff", roles=list(STAFF_ROLES))


def _english():
    return request.accept_languages.best_match(["zh", "en"], default="zh") == "en"


def _columns(spec):
    """``[(zh, en, key)]`` → XLSX columns headed in the reader's language."""
    english = _english()
    return [(en if english else zh, key) for zh, en, key in spec]


def _name(row, field):
    return row[f"{field}_en"] if _english() else row[f"{field}_zh"]


POINTS_COLUMNS = [
    ("月份", "Month", "month"), ("期初", "Opening", "opening"), ("发放", "Issued", "issued"),
    ("退回", "Refunded", "refunded"), ("调增", "Adjusted in", "adjusted_in"), ("冲正转入", "Reversed in", "reversed_in"),
    ("兑换", "Spent", "spent"), ("过期", "Expired", "expired"), ("扣减", "Penalties", "penalties"),
    ("调减", "Adjusted out", "adjusted_out"), ("冲正转出", "Reversed out", "reversed_out"),
    ("流入合计", "Inflow", "inflow"), ("流出合计", "Outflow", "outflow"), ("期末", "Closing", "closing"),
]


@bp.route("/points", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, PointsReportSchema)
@cached_report(PointsReportSchema)
def points_report(args):
    """Points issued, spent, expired and outstanding per month (reconciles with the ledger)."""
    return service.points_report(current_principal(), args)


@bp.route("/points.xlsx", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, content_type=XLSX, description="The points report as an XLSX workbook")
def points_report_xlsx(args):
    """Points per month as an XLSX download."""
    report = service.points_report(current_principal(), args)
    return xlsx_response("points.xlsx", [("积分", _columns(POINTS_COLUMNS), report["months"])])


def _village_columns(thresholds):
    stars = [(f"{n}星", f"{n} stars", (lambda n: lambda row: row["stars"][n])(n)) for n in range(len(thresholds) + 1)]
    return _columns([("排名", "Rank", "rank"), ("镇街", "Town", lambda r: _name(r, "town")),
                     ("村社区", "Village", lambda r: _name(r, "community")), ("居民", "Residents", "residents"),
                     *stars, ("平均分", "Average score", "average_score"), ("参与人数", "Participants", "participants"),
                     ("参与率", "Participation", "participation")])


@bp.route("/villages", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, VillagesReportSchema)
@cached_report(VillagesReportSchema)
def villages_report(args):
    """Villages ranked by average score: residents by star level and participation (诚信示范村)."""
    return service.villages_report(current_principal(), args)


@bp.route("/villages.xlsx", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, content_type=XLSX, description="The village ranking as an XLSX workbook")
def villages_report_xlsx(args):
    """The village ranking as an XLSX download."""
    report = service.villages_report(current_principal(), args)
    return xlsx_response("villages.xlsx", [("村社区", _village_columns(report["star_thresholds"]), report["villages"])])


HOUSEHOLD_COLUMNS = [
    ("排名", "Rank", "rank"), ("户号", "Household", "household_code"), ("户名", "Name", "household_name"),
    ("村社区", "Village", lambda r: _name(r, "community")), ("人数", "Members", "members"),
    ("平均分", "Average score", "average_score"), ("最低分", "Lowest score", "lowest_score"), ("星级", "Stars", "stars"),
]


@bp.route("/households", methods=["GET"])
@staff
@bp.arguments(HouseholdReportArgs, location="query")
@bp.response(200, HouseholdsReportSchema)
@cached_report(HouseholdsReportSchema)
def households_report(args):
    """Households ranked by their members' average score (诚信示范户)."""
    return service.households_report(current_principal(), args)


@bp.route("/households.xlsx", methods=["GET"])
@staff
@bp.arguments(HouseholdReportArgs, location="query")
@bp.response(200, content_type=XLSX, description="The household ranking as an XLSX workbook")
def households_report_xlsx(args):
    """The household ranking as an XLSX download."""
    report = service.households_report(current_principal(), args)
    return xlsx_response("households.xlsx", [("信用户", _columns(HOUSEHOLD_COLUMNS), report["households"])])


RECORD_COLUMNS = [
    ("月份", "Month", "month"), ("类别", "Category", "category"), ("加分记录", "Good records", "good"),
    ("扣分记录", "Bad records", "bad"), ("加分", "Points added", "good_points"), ("扣分", "Points deducted", "bad_points"),
]


@bp.route("/records", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, RecordsReportSchema)
@cached_report(RecordsReportSchema)
def records_report(args):
    """Final good and bad records by category and month."""
    return service.records_report(current_principal(), args)


@bp.route("/records.xlsx", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, content_type=XLSX, description="Records by category and month as an XLSX workbook")
def records_report_xlsx(args):
    """Records by category and month as an XLSX download."""
    report = service.records_report(current_principal(), args)
    return xlsx_response("records.xlsx", [("记录", _columns(RECORD_COLUMNS), report["rows"])])


BACKLOG_COLUMNS = [
    ("镇街", "Town", lambda r: _name(r, "town")), ("村社区", "Village", lambda r: _name(r, "community")),
    ("待审核", "Pending review", "pending"), ("公示中", "In public notice", "in_notice"), ("有异议", "Disputed", "disputed"),
    ("最早待审", "Oldest pending since", "oldest_pending_at"),
]


@bp.route("/backlog", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, BacklogReportSchema)
@cached_report(BacklogReportSchema)
def backlog_report(args):
    """Records pending review, in public notice and disputed, per village."""
    return service.backlog_report(current_principal(), args)


@bp.route("/backlog.xlsx", methods=["GET"])
@staff
@bp.arguments(ReportArgs, location="query")
@bp.response(200, content_type=XLSX, description="The backlog per village as an XLSX workbook")
def backlog_report_xlsx(args):
    """The backlog per village as an XLSX download."""
    report = service.backlog_report(current_principal(), args)
    return xlsx_response("backlog.xlsx", [("待办", _columns(BACKLOG_COLUMNS), report["villages"])])


# --- credit reports (信用报告) ------------------------------------------------------------------

#: credit reports: issued by staff of the subject's community, or by residents about themselves
archive_bp = Blueprint("credit_reports", __name__, url_prefix="/api/v1",
                       description="Credit reports (信用报告) issued at the subject's request, and my own data")
#: the report's QR code opens this page: anyone can check that a report is genuine
public_bp = FlaskBlueprint("credit_reports_public", __name__, template_folder="templates")
REPORT_STAFF = ["worker", "reviewer", "district_admin"]


@archive_bp.route("/credit-reports", methods=["POST"])
@auth_required("staff", roles=REPORT_STAFF)
@archive_bp.arguments(CreditReportCreateArgs)
@archive_bp.response(201, CreditReportSchema)
def issue_credit_report(args):
    """Issue a credit report (信用报告) of a resident or household of my communities (logged as a look-up)."""
    return credit_reports.issue_credit_report(current_principal(), args)


@archive_bp.route("/me/credit-reports", methods=["POST"])
@auth_required("resident")
@archive_bp.arguments(MyCreditReportCreateArgs)
@archive_bp.response(201, CreditReportSchema)
def issue_my_credit_report(args):
    """Issue my own credit report (信用报告), e.g. for a loan."""
    return credit_reports.issue_credit_report(current_principal(), args)


@archive_bp.route("/credit-reports", methods=["GET"])
@auth_required("staff", roles=REPORT_STAFF)
@archive_bp.arguments(CreditReportQueryArgs, location="query")
@archive_bp.response(200, page_of(CreditReportSchema))
def list_credit_reports(args):
    """Credit reports issued for residents and households of my communities, newest first."""
    page = split_page(args)
    return credit_reports.list_credit_reports(current_principal(), args, page)


@archive_bp.route("/me/credit-reports", methods=["GET"])
@auth_required("resident")
@archive_bp.arguments(PageArgs, location="query")
@archive_bp.response(200, page_of(CreditReportSchema))
def list_my_credit_reports(args):
    """The credit reports issued about me, newest first."""
    return credit_reports.list_credit_reports(current_principal(), {}, args)


@archive_bp.route("/credit-reports/<int:report_id>.pdf", methods=["GET"])
@auth_required("staff", "resident")
@archive_bp.response(200, content_type=PDF, description="The credit report as an A4 PDF")
def credit_report_pdf(report_id):
    """The credit report as an A4 PDF, with the QR code that verifies it."""
    report = credit_reports.get_credit_report(current_principal(), report_id)
    view = credit_reports.report_view(report)
    html = render_template("reports/credit_report.html", qr_svg=qr_svg(view["url"]), **view)
    return pdf_response(html, f"credit-report-{report.number}.pdf")


@archive_bp.route("/me/export.json", methods=["GET"])
@auth_required("resident")
@archive_bp.response(200, MyDataSchema)
def my_data_json():
    """Everything the centre holds about me, as JSON (profile, records, points, look-ups, …)."""
    return my_data.my_data(current_principal())


@archive_bp.route("/me/export.xlsx", methods=["GET"])
@auth_required("resident")
@archive_bp.response(200, content_type=XLSX, description="My own data as an XLSX workbook, one sheet per part")
def my_data_xlsx():
    """Everything the centre holds about me, as an XLSX workbook (one sheet per part)."""
    return xlsx_response("my-data.xlsx", my_data.my_data_sheets(my_data.my_data(current_principal()), _english()))


def _wants_json():
    """Phones opening the QR code get the page; apps asking for JSON get JSON."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


@public_bp.get("/r/<token>")
def verify_credit_report(token):
    """Anyone who scans a credit report's QR code sees whether it is genuine (name masked)."""
    try:
        report = credit_reports.verify_report(token)
    except CreditReportNotFound as error:
        if _wants_json():
            return problem(error.status, error.code, error.title, error.detail)
        return render_template("reports/verify.html", valid=False), 404
    view = credit_reports.report_view(report)
    if _wants_json():
        return credit_reports.public_report(view)
    return render_template("reports/verify.html", valid=True, **view)
