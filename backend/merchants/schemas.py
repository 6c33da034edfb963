from marshmallow import Schema, fields, validate

from ..common.fields import UTCDateTime
from ..common.masking import mask_name
from ..common.pagination import PageArgs
from ..extensions import db
from ..residents.models import Resident
from .models import CATEGORIES, MERCHANT_STATUSES, Merchant

PHONE = validate.Regexp(r"^\+?\d{5,20}$", error="Digits only, 5 to 20.")
REASON = validate.Length(1, 200)
#: money is integer fen (分); ¥100,000 is far above any alliance bill
BILL = validate.Range(min=1, max=10_000_000, error="A bill is 1 to 10,000,000 fen.")


class MerchantSchema(Schema):
    """What the district admin and the merchant's own staff see."""

    id = fields.Integer()
    name = fields.String()
    category = fields.String()
    category_zh = fields.Function(lambda m: CATEGORIES.get(m.category, (m.category, m.category))[0])
    category_en = fields.Function(lambda m: CATEGORIES.get(m.category, (m.category, m.category))[1])
    address = fields.String()
    licence_no = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    community_id = fields.Integer(allow_none=True)
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    approved_at = UTCDateTime(allow_none=True)
    created_at = UTCDateTime()


class MerchantCreateArgs(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 100))
    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    address = fields.String(required=True, validate=validate.Length(1, 200))
    licence_no = fields.String(allow_none=True, validate=validate.Length(1, 50))
    contact_name = fields.String(allow_none=True, validate=validate.Length(1, 50))
    contact_phone = fields.String(allow_none=True, validate=PHONE)
    community_id = fields.Integer(allow_none=True)


class MerchantUpdateArgs(Schema):
    name = fields.String(validate=validate.Length(1, 100))
    category = fields.String(validate=validate.OneOf(list(CATEGORIES)))
    address = fields.String(validate=validate.Length(1, 200))
    licence_no = fields.String(allow_none=True, validate=validate.Length(1, 50))
    contact_name = fields.String(allow_none=True, validate=validate.Length(1, 50))
    contact_phone = fields.String(allow_none=True, validate=PHONE)
    community_id = fields.Integer(allow_none=True)


class MerchantQueryArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(MERCHANT_STATUSES))
    category = fields.String(validate=validate.OneOf(list(CATEGORIES)))
    community_id = fields.Integer()
    q = fields.String(validate=validate.Length(1, 50))


class MerchantExportArgs(MerchantQueryArgs):
    """The list's filters, without paging: the export holds every match."""

    class Meta:
        exclude = ("page", "per_page")


class StatusChangeArgs(Schema):
    reason = fields.String(allow_none=True, validate=REASON)


class ReasonArgs(Schema):
    reason = fields.String(required=True, validate=REASON)


class DiscountLevelSchema(Schema):
    stars = fields.Integer()
    percent = fields.Integer()
    min_percent = fields.Integer()
    max_percent = fields.Integer()
    set_by_merchant = fields.Boolean()


class DiscountLevelArgs(Schema):
    stars = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    percent = fields.Integer(required=True, strict=True, validate=validate.Range(0, 100))


class DiscountsArgs(Schema):
    levels = fields.List(fields.Nested(DiscountLevelArgs), required=True, validate=validate.Length(1, 5))


class DiscountTableSchema(Schema):
    levels = fields.List(fields.Nested(DiscountLevelSchema))


class ScanArgs(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 2048),
                         metadata={"description": "the resident's phone code: URL, bare token or its typed number"})


class DiscountPreviewSchema(Schema):
    masked_name = fields.String()
    community_name_zh = fields.String()
    community_name_en = fields.String()
    stars = fields.Integer()
    discount_percent = fields.Integer()
    eligible = fields.Boolean(metadata={"description": "false: this star level gets no discount here"})
    expires_at = UTCDateTime()
    merchant_status = fields.String()


class SaleCreateArgs(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 2048),
                         metadata={"description": "the resident's phone code: URL, bare token or its typed number"})
    bill_amount = fields.Integer(required=True, strict=True, validate=BILL,
                                 metadata={"description": "the bill before discount, in fen (分)"})


class SaleCreditSchema(Schema):
    """What a sale (or its voiding) did to the shop's credit, and why."""

    awarded = fields.Boolean(metadata={"description": "true: this sale earned the shop credit"})
    points = fields.Integer(metadata={"description": "the change to the shop's credit score (negative: taken back)"})
    reason_code = fields.String(metadata={
        "description": "credit_awarded, daily_cap_reached, no_credit_for_discounts, item_inactive, "
                       "merchant_not_active, no_credit_given, credit_taken_back or no_credit_to_take_back"})
    reason = fields.String(metadata={"description": "what happened, in the language of Accept-Language (zh or en)"})


class SaleSchema(Schema):
    id = fields.Integer()
    merchant_id = fields.Integer()
    resident_masked_name = fields.Method("_masked")
    staff_user_id = fields.Integer()
    stars = fields.Integer()
    discount_percent = fields.Integer()
    bill_amount = fields.Integer()
    discount_amount = fields.Integer()
    final_amount = fields.Integer()
    status = fields.String()
    created_at = UTCDateTime()
    voided_at = UTCDateTime(allow_none=True)
    void_reason = fields.String(allow_none=True)
    merchant_credit = fields.Nested(SaleCreditSchema, metadata={
        "description": "only in the answer to recording or voiding the sale: the credit it earned or gave back"})

    def _masked(self, sale):
        resident = db.session.get(Resident, sale.resident_id)
        return mask_name(resident.name) if resident else None


class MySaleSchema(Schema):
    """A resident's own purchase."""

    id = fields.Integer()
    merchant_id = fields.Integer()
    merchant_name = fields.Method("_merchant_name")
    stars = fields.Integer()
    discount_percent = fields.Integer()
    bill_amount = fields.Integer()
    discount_amount = fields.Integer()
    final_amount = fields.Integer()
    status = fields.String()
    created_at = UTCDateTime()
    rated = fields.Boolean()
    rateable = fields.Boolean(metadata={"description": "may still be rated (valid, unrated, within 7 days)"})

    def _merchant_name(self, sale):
        return db.session.get(Merchant, sale.merchant_id).name


class SaleQueryArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(["valid", "voided"]))
    since = UTCDateTime()
    until = UTCDateTime()


class RatingCreateArgs(Schema):
    stars = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    comment = fields.String(allow_none=True, validate=validate.Length(max=200))


class RatingSchema(Schema):
    """A rating as its merchant, the district admin and its author see it."""

    id = fields.Integer()
    merchant_id = fields.Integer()
    sale_id = fields.Integer()
    stars = fields.Integer()
    comment = fields.String(allow_none=True)
    created_at = UTCDateTime()
    reply = fields.String(allow_none=True)
    replied_at = UTCDateTime(allow_none=True)
    hidden = fields.Function(lambda r: r.hidden_at is not None)
    hidden_reason = fields.String(allow_none=True)


class MerchantRatingSchema(RatingSchema):
    """What the merchant sees: hidden text stays hidden."""

    comment = fields.Function(lambda r: None if r.hidden_at else r.comment, allow_none=True)


class RatingQueryArgs(PageArgs):
    hidden = fields.Boolean()


class ReplyArgs(Schema):
    reply = fields.String(required=True, validate=validate.Length(1, 200))


class TotalsSchema(Schema):
    sales = fields.Integer()
    bill_amount = fields.Integer()
    discount_amount = fields.Integer()
    final_amount = fields.Integer()


class RatingStatsSchema(Schema):
    count = fields.Integer()
    average = fields.Float(allow_none=True)


class CreditLevelSchema(Schema):
    score = fields.Integer()
    level = fields.String(metadata={"description": "A (best) to E"})


class CreditTodaySchema(Schema):
    """Today's credit for discounts given: whether the next discount still earns the shop credit."""

    earned = fields.Integer(metadata={"description": "discounts that earned credit today"})
    cap = fields.Integer(allow_none=True, metadata={"description": "the policy's daily cap of credited discounts"})
    points_per_sale = fields.Integer()
    can_earn = fields.Boolean(metadata={"description": "true: the next discount earns credit"})
    reason_code = fields.String(metadata={
        "description": "can_earn_today, daily_cap_reached, no_credit_for_discounts, item_inactive or "
                       "merchant_not_active"})
    reason = fields.String(metadata={"description": "the same in words, in the language of Accept-Language"})


class MerchantSummarySchema(Schema):
    merchant = fields.Nested(MerchantSchema)
    today = fields.Nested(TotalsSchema)
    month = fields.Nested(TotalsSchema)
    ratings = fields.Nested(RatingStatsSchema)
    credit = fields.Nested(CreditLevelSchema)
    credit_today = fields.Nested(CreditTodaySchema)
    discounts = fields.List(fields.Nested(DiscountLevelSchema))


class MerchantRecordArgs(Schema):
    item_code = fields.String(required=True, validate=validate.Length(1, 64),
                              metadata={"description": "a merchant item of the catalogue, e.g. merchant_short_weight"})
    note = fields.String(required=True, validate=validate.Length(1, 500),
                         metadata={"description": "what happened (kept in the audit log)"})


class MerchantRecordSchema(Schema):
    record_id = fields.Integer()
    item_code = fields.String()
    points = fields.Integer()
    status = fields.String()
    credit = fields.Nested(CreditLevelSchema)


class AllianceArgs(PageArgs):
    category = fields.String(validate=validate.OneOf(list(CATEGORIES)))
    #: one shop (the app's page of a shop, e.g. opened from its door card's rating link)
    merchant_id = fields.Integer(validate=validate.Range(min=1))


class StarDiscountSchema(Schema):
    stars = fields.Integer()
    percent = fields.Integer()


class AllianceShopSchema(Schema):
    """An alliance shop as a resident sees it: where it is and what my stars earn there."""

    id = fields.Integer()
    name = fields.String()
    category = fields.String()
    category_zh = fields.Function(lambda m: CATEGORIES.get(m["category"], (m["category"], m["category"]))[0])
    category_en = fields.Function(lambda m: CATEGORIES.get(m["category"], (m["category"], m["category"]))[1])
    #: the village (community) it stands in; null for a shop of the whole district
    community_name_zh = fields.String(allow_none=True)
    community_name_en = fields.String(allow_none=True)
    address = fields.String()
    discounts = fields.List(fields.Nested(StarDiscountSchema))
    #: percent off my star level earns here today (0: none)
    my_percent = fields.Integer()
    #: percent off at my next star level (null: I am at the top)
    next_star_percent = fields.Integer(allow_none=True)
    ratings = fields.Nested(RatingStatsSchema)
    #: my newest purchase here I may still rate (null: none)
    rateable_sale_id = fields.Integer(allow_none=True)


class AllianceSchema(Schema):
    items = fields.List(fields.Nested(AllianceShopSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    stars = fields.Integer()
    next_star = fields.Integer(allow_none=True)
    score_to_next_star = fields.Integer(allow_none=True)
