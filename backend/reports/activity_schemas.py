"""Report tables out: objections, repairs, volunteering, supermarkets, merchants (filters: ``ReportArgs``)."""
from marshmallow import Schema, fields


def _ints(*names):
    return {name: fields.Integer() for name in names}


class _Place(Schema):
    community_id = fields.Integer()
    community_code = fields.String()
    community_zh = fields.String()
    community_en = fields.String()
    town_id = fields.Integer()
    town_zh = fields.String()
    town_en = fields.String()


class _Period(Schema):
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()


_OBJECTIONS = _ints("filed", "upheld", "dismissed", "open", "overdue", "decided_late")
ObjectionsMonthSchema = Schema.from_dict({"month": fields.String(), **_OBJECTIONS}, name="ObjectionsMonthSchema")
ObjectionsTotalsSchema = Schema.from_dict(_OBJECTIONS, name="ObjectionsTotalsSchema")


class ObjectionsReportSchema(_Period):
    months = fields.List(fields.Nested(ObjectionsMonthSchema))
    totals = fields.Nested(ObjectionsTotalsSchema)


_REPAIRS = _ints("applied", "approved", "rejected", "pending", "points_restored")
RepairsMonthSchema = Schema.from_dict({"month": fields.String(), **_REPAIRS}, name="RepairsMonthSchema")
RepairsTotalsSchema = Schema.from_dict(_REPAIRS, name="RepairsTotalsSchema")


class RepairsReportSchema(_Period):
    months = fields.List(fields.Nested(RepairsMonthSchema))
    totals = fields.Nested(RepairsTotalsSchema)


class VolunteerFiguresSchema(Schema):
    volunteers = fields.Integer()
    activities = fields.Integer()
    minutes = fields.Integer()
    hours = fields.Float()
    points = fields.Integer()


class VolunteerVillageSchema(_Place, VolunteerFiguresSchema):
    pass


class VolunteerRowSchema(VolunteerVillageSchema):
    month = fields.String()


class VolunteerMonthSchema(Schema):
    month = fields.String()
    volunteers = fields.Integer()
    minutes = fields.Integer()
    hours = fields.Float()


class VolunteeringReportSchema(_Period):
    months = fields.List(fields.Nested(VolunteerMonthSchema))
    rows = fields.List(fields.Nested(VolunteerRowSchema), metadata={"description": "Per village and month"})
    villages = fields.List(fields.Nested(VolunteerVillageSchema), metadata={"description": "Per village, the period"})


SupermarketMonthSchema = Schema.from_dict(
    {"month": fields.String(), **_ints("orders", "points_spent", "cancelled", "points_refunded", "points_net")},
    name="SupermarketMonthSchema")


class SupermarketShopSchema(Schema):
    supermarket_id = fields.Integer()
    name_zh = fields.String()
    name_en = fields.String()
    community_id = fields.Integer()
    community_zh = fields.String()
    community_en = fields.String()
    active = fields.Boolean()
    items = fields.Integer()
    active_items = fields.Integer()
    stock = fields.Integer(metadata={"description": "Units on hand now"})
    stock_points = fields.Integer(metadata={"description": "Stock on hand valued at today's point prices"})
    low_stock = fields.Integer()
    orders = fields.Integer()
    points_net = fields.Integer()


class DonorIntakeSchema(Schema):
    month = fields.String()
    donor_kind = fields.String()
    donor_name = fields.String()
    intakes = fields.Integer()
    quantity = fields.Integer()
    points_value = fields.Integer()


SupermarketTotalsSchema = Schema.from_dict(
    _ints("orders", "points_spent", "cancelled", "points_refunded", "points_net", "stock", "stock_points",
          "donated_quantity", "donated_points"), name="SupermarketTotalsSchema")


class SupermarketsReportSchema(_Period):
    months = fields.List(fields.Nested(SupermarketMonthSchema))
    shops = fields.List(fields.Nested(SupermarketShopSchema))
    donors = fields.List(fields.Nested(DonorIntakeSchema))
    totals = fields.Nested(SupermarketTotalsSchema)


class MerchantFiguresSchema(Schema):
    sales = fields.Integer()
    bill_amount = fields.Integer(metadata={"description": "fen (分)"})
    discount_amount = fields.Integer(metadata={"description": "fen (分)"})
    voided = fields.Integer()
    ratings = fields.Integer()
    average_rating = fields.Float(allow_none=True)


class MerchantMonthSchema(MerchantFiguresSchema):
    month = fields.String()


class MerchantRowSchema(MerchantFiguresSchema):
    merchant_id = fields.Integer()
    name = fields.String()
    category = fields.String()
    status = fields.String()
    community_id = fields.Integer(allow_none=True)
    community_zh = fields.String(allow_none=True)
    community_en = fields.String(allow_none=True)
    score = fields.Integer()
    level = fields.String(metadata={"description": "A … E"})


class MerchantLevelSchema(Schema):
    level = fields.String()
    merchants = fields.Integer()


class MerchantsReportSchema(_Period):
    months = fields.List(fields.Nested(MerchantMonthSchema))
    merchants = fields.List(fields.Nested(MerchantRowSchema))
    levels = fields.List(fields.Nested(MerchantLevelSchema), metadata={"description": "Approved merchants per level"})
    totals = fields.Nested(MerchantFiguresSchema)
