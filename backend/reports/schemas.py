"""Report filters in, report tables out."""
from marshmallow import Schema, fields, validate

from ..common.fields import UTCDateTime
from ..common.pagination import PageArgs
from .credit_reports import verify_url

MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="Use YYYY-MM, e.g. 2026-07.")
ID = validate.Range(min=1, max=2**31 - 1)


class ReportArgs(Schema):
    town_id = fields.Integer(validate=ID)
    community_id = fields.Integer(validate=ID)
    #: first and last local month, ``YYYY-MM`` (default: the last twelve months)
    from_ = fields.String(data_key="from", attribute="from", validate=MONTH)
    to = fields.String(validate=MONTH)


class HouseholdReportArgs(ReportArgs):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class PointsMonthSchema(Schema):
    month = fields.String()
    opening = fields.Integer()
    issued = fields.Integer()
    refunded = fields.Integer()
    adjusted_in = fields.Integer()
    reversed_in = fields.Integer()
    other_in = fields.Integer()
    spent = fields.Integer()
    expired = fields.Integer()
    penalties = fields.Integer()
    adjusted_out = fields.Integer()
    reversed_out = fields.Integer()
    other_out = fields.Integer()
    inflow = fields.Integer()
    outflow = fields.Integer()
    closing = fields.Integer()


class PointsReportSchema(Schema):
    months = fields.List(fields.Nested(PointsMonthSchema))
    outstanding = fields.Integer(metadata={"description": "Points residents in scope hold at the end of the last month"})
    communities = fields.Integer()


class VillageRowSchema(Schema):
    rank = fields.Integer()
    community_id = fields.Integer()
    community_code = fields.String()
    community_zh = fields.String()
    community_en = fields.String()
    town_id = fields.Integer()
    town_zh = fields.String()
    town_en = fields.String()
    residents = fields.Integer()
    stars = fields.List(fields.Integer(), metadata={"description": "Residents with 0, 1, … 5 stars"})
    average_score = fields.Float(allow_none=True)
    participants = fields.Integer()
    participation = fields.Float(allow_none=True)


class VillagesReportSchema(Schema):
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    star_thresholds = fields.List(fields.Integer())
    villages = fields.List(fields.Nested(VillageRowSchema))


class HouseholdRowSchema(Schema):
    rank = fields.Integer()
    household_id = fields.Integer()
    household_code = fields.String()
    household_name = fields.String()
    community_id = fields.Integer()
    community_zh = fields.String()
    community_en = fields.String()
    members = fields.Integer()
    average_score = fields.Float()
    lowest_score = fields.Integer()
    stars = fields.Integer()


class HouseholdsReportSchema(Schema):
    households = fields.List(fields.Nested(HouseholdRowSchema))


class RecordsRowSchema(Schema):
    month = fields.String()
    category = fields.String()
    good = fields.Integer()
    bad = fields.Integer()
    good_points = fields.Integer()
    bad_points = fields.Integer()


class RecordsReportSchema(Schema):
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    rows = fields.List(fields.Nested(RecordsRowSchema))


class BacklogRowSchema(Schema):
    community_id = fields.Integer()
    community_code = fields.String()
    community_zh = fields.String()
    community_en = fields.String()
    town_zh = fields.String()
    town_en = fields.String()
    pending = fields.Integer()
    in_notice = fields.Integer()
    disputed = fields.Integer()
    oldest_pending_at = UTCDateTime(allow_none=True)


class BacklogReportSchema(Schema):
    villages = fields.List(fields.Nested(BacklogRowSchema))


# --- credit reports (信用报告) ------------------------------------------------------------------

_PURPOSE_ERROR = "Say why the report is asked for (2 to 200 characters), e.g. for a loan."
#: at least two characters that are not blanks
PURPOSE = validate.And(validate.Length(min=2, max=200, error=_PURPOSE_ERROR),
                       validate.Regexp(r"(?s).*\S.*\S", error=_PURPOSE_ERROR))


class MyCreditReportCreateArgs(Schema):
    #: why the resident asks for it, printed on the report, e.g. "本人申请，用于贷款"
    purpose = fields.String(required=True, validate=PURPOSE)
    #: who asks, if not the subject (e.g. the daughter who came to the office); default: the subject
    requested_by = fields.String(validate=validate.Length(max=100))
    #: first and last local day covered (default: the year up to today; at most three years)
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()


class CreditReportCreateArgs(MyCreditReportCreateArgs):
    resident_id = fields.Integer(validate=ID)
    household_id = fields.Integer(validate=ID)


class CreditReportQueryArgs(PageArgs):
    resident_id = fields.Integer(validate=ID)
    household_id = fields.Integer(validate=ID)
    community_id = fields.Integer(validate=ID)


class CreditReportTotalsSchema(Schema):
    good_records = fields.Integer()
    bad_records = fields.Integer()
    points_added = fields.Integer()
    points_deducted = fields.Integer()
    repaired_records = fields.Integer()
    repairs_approved = fields.Integer()


class CreditReportSchema(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"description": "Numbered per district, e.g. XY2026-000123"})
    subject_type = fields.String(metadata={"description": "resident or household"})
    resident_id = fields.Integer(allow_none=True)
    household_id = fields.Integer(allow_none=True)
    community_id = fields.Integer()
    name = fields.Function(lambda report: report.snapshot["name"])
    period_from = fields.Date(data_key="from")
    period_to = fields.Date(data_key="to")
    purpose = fields.String()
    requested_by = fields.String()
    issued_by = fields.String()
    issued_at = UTCDateTime()
    score = fields.Function(lambda report: report.snapshot["score"])
    stars = fields.Function(lambda report: report.snapshot["stars"])
    totals = fields.Function(lambda report: report.snapshot["totals"])
    verify_url = fields.Method("_verify_url", metadata={"description": "What the QR code opens: /r/<token>"})
    pdf_url = fields.Method("_pdf_url")

    def _verify_url(self, report):
        return verify_url(report)

    def _pdf_url(self, report):
        return f"/api/v1/credit-reports/{report.id}.pdf"


class MyDataSchema(Schema):
    """Everything the centre holds about me; each part is a list of rows (times ISO 8601 UTC)."""
    exported_at = fields.String()
    resident_id = fields.Integer()
    profile = fields.List(fields.Dict())
    records = fields.List(fields.Dict())
    objections = fields.List(fields.Dict())
    repairs = fields.List(fields.Dict())
    points = fields.List(fields.Dict())
    lookups = fields.List(fields.Dict())
    volunteering = fields.List(fields.Dict())
    volunteer_certificates = fields.List(fields.Dict())
    purchases = fields.List(fields.Dict())
    ratings = fields.List(fields.Dict())
    orders = fields.List(fields.Dict())
    credit_reports = fields.List(fields.Dict())
