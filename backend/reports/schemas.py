"""Report filters in, report tables out."""
from marshmallow import Schema, fields, validate

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
    oldest_pending_at = fields.DateTime(allow_none=True)


class BacklogReportSchema(Schema):
    villages = fields.List(fields.Nested(BacklogRowSchema))
