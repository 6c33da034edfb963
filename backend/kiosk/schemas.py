from marshmallow import Schema, fields, validate

from ..common.fields import UTCDateTime
from ..devices.schemas import DeviceSchema
from ..supermarket.schemas import SupermarketOrderLineSchema

PIN = validate.Regexp(r"^\d{6}$", error="Exactly 6 digits.")


class KioskConfigSchema(Schema):
    idle_seconds = fields.Integer()
    idle_warning_seconds = fields.Integer()
    session_minutes = fields.Integer()


class KioskSupermarketSchema(Schema):
    id = fields.Integer()
    name_zh = fields.String()
    name_en = fields.String()
    address = fields.String(allow_none=True)


class KioskDeviceInfoSchema(KioskConfigSchema):
    device = fields.Nested(DeviceSchema)
    supermarket = fields.Nested(KioskSupermarketSchema)


class KioskSessionCreateArgs(Schema):
    #: what the scanner read: a phone's dynamic code or a printed card (URL or bare token)
    code = fields.String(required=True, validate=validate.Length(1, 300))
    #: only for a printed card
    pin = fields.String(load_only=True, validate=PIN)


class KioskResidentBriefSchema(Schema):
    masked_name = fields.String()


class KioskSessionSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    #: ``phone`` or ``card``
    method = fields.String()
    resident = fields.Nested(KioskResidentBriefSchema)


class KioskHistoryEntrySchema(Schema):
    id = fields.Integer()
    #: the ledger transfer kind: ``credit_award``, ``redemption``, ``redemption_refund`` …
    kind = fields.String()
    #: signed points: + in, − out
    delta = fields.Integer()
    memo = fields.String(allow_none=True)
    #: what the points were for: the rule's title, the goods taken or given back, or the staff's reason
    for_zh = fields.String(allow_none=True, dump_default=None)
    for_en = fields.String(allow_none=True, dump_default=None)
    created_at = UTCDateTime()


class KioskPendingOrderSchema(Schema):
    id = fields.Integer()
    receipt_no = fields.String()
    total_points = fields.Integer()
    #: the goods to collect
    lines = fields.List(fields.Nested(SupermarketOrderLineSchema))
    created_at = UTCDateTime()


class KioskHomeSchema(Schema):
    masked_name = fields.String()
    community_name_zh = fields.String()
    community_name_en = fields.String()
    points = fields.Integer()
    score = fields.Integer(allow_none=True)
    stars = fields.Integer(allow_none=True)
    next_star = fields.Integer(allow_none=True)
    score_to_next_star = fields.Integer(allow_none=True)
    history = fields.List(fields.Nested(KioskHistoryEntrySchema))
    pending_orders = fields.List(fields.Nested(KioskPendingOrderSchema))


class KioskCategorySchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()


class KioskCatalogueItemSchema(Schema):
    id = fields.Function(lambda row: row["item"].id)
    name_zh = fields.Function(lambda row: row["item"].name_zh)
    name_en = fields.Function(lambda row: row["item"].name_en)
    category = fields.Function(lambda row: row["item"].category)
    photo = fields.Function(lambda row: row["item"].photo)
    price_points = fields.Function(lambda row: row["item"].price_points)
    stock = fields.Function(lambda row: row["item"].stock)
    limit_quantity = fields.Function(lambda row: row["item"].limit_quantity)
    limit_period = fields.Function(lambda row: row["item"].limit_period)
    #: how many more this resident may take in the current period (null: no limit)
    remaining_allowance = fields.Integer(allow_none=True)


class KioskCatalogueSchema(Schema):
    supermarket = fields.Nested(KioskSupermarketSchema)
    points = fields.Integer()
    categories = fields.List(fields.Nested(KioskCategorySchema))
    items = fields.List(fields.Nested(KioskCatalogueItemSchema))


class KioskOrderSchema(Schema):
    id = fields.Integer()
    receipt_no = fields.String()
    pickup_code = fields.String()
    status = fields.String()
    total_points = fields.Integer()
    lines = fields.List(fields.Nested(SupermarketOrderLineSchema))
    created_at = UTCDateTime()


class KioskReceiptSchema(Schema):
    order = fields.Nested(KioskOrderSchema)
    supermarket = fields.Nested(KioskSupermarketSchema)
    masked_name = fields.String()
    balance_after = fields.Integer()
    #: the pickup code as a QR image (``data:image/svg+xml;base64,…``)
    pickup_qr = fields.String()
