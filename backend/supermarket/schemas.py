from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate, validates_schema, ValidationError

from ..common.fields import UTCDateTime
from ..common.masking import mask_name
from ..common.pagination import PageArgs
from ..residents.service import get_resident
from .models import CATEGORIES, DONOR_KINDS, LIMIT_PERIODS, MOVEMENT_KINDS, ORDER_STATUSES

NAME = validate.Length(1, 100)
#: a path on this site (``/kiosk/img/rice.svg``) or an http(s) URL; nothing that runs script
PHOTO = validate.Regexp(r"^(/[A-Za-z0-9_./-]+|https?://[^\s\"'<>]+)$", error="A /path or an http(s) URL.")
QUANTITY = validate.Range(min=1, max=999)
#: a signed stock correction, never zero
ADJUSTMENT = validate.And(validate.Range(min=-100000, max=100000),
                          validate.NoneOf([0], error="A correction of zero moves nothing."))


class SupermarketSchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    served_community_ids = fields.List(fields.Integer())
    name_zh = fields.String()
    name_en = fields.String()
    address = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = UTCDateTime()


class SupermarketCreateArgs(Schema):
    community_id = fields.Integer(required=True)
    #: other communities whose residents may redeem here (its own community always may)
    served_community_ids = fields.List(fields.Integer(), load_default=list, validate=validate.Length(max=200))
    name_zh = fields.String(required=True, validate=NAME)
    name_en = fields.String(required=True, validate=NAME)
    address = fields.String(allow_none=True, validate=validate.Length(max=200))


class SupermarketUpdateArgs(Schema):
    served_community_ids = fields.List(fields.Integer(), validate=validate.Length(max=200))
    name_zh = fields.String(validate=NAME)
    name_en = fields.String(validate=NAME)
    address = fields.String(allow_none=True, validate=validate.Length(max=200))
    active = fields.Boolean()


class SupermarketItemSchema(Schema):
    id = fields.Integer()
    supermarket_id = fields.Integer()
    name_zh = fields.String()
    name_en = fields.String()
    category = fields.String()
    photo = fields.String(allow_none=True)
    price_points = fields.Integer()
    stock = fields.Integer()
    low_stock_at = fields.Integer()
    limit_quantity = fields.Integer(allow_none=True)
    limit_period = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = UTCDateTime()


class _SupermarketItemFields(Schema):
    @validates_schema
    def _limit_pair(self, data, **kwargs):
        if ("limit_quantity" in data) != ("limit_period" in data):
            raise ValidationError("Give limit_quantity and limit_period together.", "limit_period")
        if (data.get("limit_quantity") is None) != (data.get("limit_period") is None):
            raise ValidationError("Both set (a limit) or both null (no limit).", "limit_period")


class SupermarketItemCreateArgs(_SupermarketItemFields):
    name_zh = fields.String(required=True, validate=NAME)
    name_en = fields.String(required=True, validate=NAME)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    photo = fields.String(allow_none=True, validate=[validate.Length(max=300), PHOTO])
    price_points = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1_000_000))
    low_stock_at = fields.Integer(load_default=5, strict=True, validate=validate.Range(min=0, max=100000))
    limit_quantity = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=1000))
    limit_period = fields.String(allow_none=True, validate=validate.OneOf(LIMIT_PERIODS))
    active = fields.Boolean(load_default=True)


class SupermarketItemUpdateArgs(_SupermarketItemFields):
    name_zh = fields.String(validate=NAME)
    name_en = fields.String(validate=NAME)
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    photo = fields.String(allow_none=True, validate=[validate.Length(max=300), PHOTO])
    price_points = fields.Integer(strict=True, validate=validate.Range(min=1, max=1_000_000))
    low_stock_at = fields.Integer(strict=True, validate=validate.Range(min=0, max=100000))
    limit_quantity = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=1000))
    limit_period = fields.String(allow_none=True, validate=validate.OneOf(LIMIT_PERIODS))
    active = fields.Boolean()


class SupermarketItemPhotoArgs(Schema):
    #: a JPEG, PNG or WebP photo (checked by its content, not its name)
    file = Upload(required=True)


class SupermarketItemQueryArgs(PageArgs):
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    active = fields.Boolean()


class StockIntakeCreateArgs(Schema):
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100000))
    donor_name = fields.String(required=True, validate=NAME)
    #: town government, school, company or private donor
    donor_kind = fields.String(required=True, validate=validate.OneOf(DONOR_KINDS))
    note = fields.String(allow_none=True, validate=validate.Length(max=500))


class StockAdjustmentCreateArgs(Schema):
    #: signed: −3 for three damaged bags, +1 for one found in the store room
    quantity = fields.Integer(required=True, strict=True, validate=ADJUSTMENT)
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class StockMovementSchema(Schema):
    id = fields.Integer()
    supermarket_id = fields.Integer()
    item_id = fields.Integer()
    kind = fields.String()
    quantity = fields.Integer()
    stock_after = fields.Integer()
    donor_name = fields.String(allow_none=True)
    donor_kind = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    order_line_id = fields.Integer(allow_none=True)
    actor = fields.String(allow_none=True)
    created_at = UTCDateTime()


class StockMovementQueryArgs(PageArgs):
    item_id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(MOVEMENT_KINDS))
    donor_kind = fields.String(validate=validate.OneOf(DONOR_KINDS))


class SupermarketOrderLineSchema(Schema):
    item_id = fields.Integer()
    name_zh = fields.Function(lambda line: line.item.name_zh)
    name_en = fields.Function(lambda line: line.item.name_en)
    quantity = fields.Integer()
    unit_points = fields.Integer()
    line_points = fields.Integer()


class SupermarketOrderSchema(Schema):
    """What staff of the shop see of an order (the resident's name unmasked: they hand the goods over)."""

    id = fields.Integer()
    supermarket_id = fields.Integer()
    resident_id = fields.Integer()
    device_id = fields.Integer(allow_none=True)
    #: who hands the goods over needs the name (the console's order list shows it)
    resident_name = fields.Function(lambda order: _resident_name(order))
    receipt_no = fields.String()
    pickup_code = fields.String()
    status = fields.String()
    total_points = fields.Integer()
    lines = fields.List(fields.Nested(SupermarketOrderLineSchema))
    created_at = UTCDateTime()
    collected_at = UTCDateTime(allow_none=True)
    collected_by = fields.String(allow_none=True)
    cancelled_at = UTCDateTime(allow_none=True)
    cancelled_by = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)


class SupermarketPickupSchema(SupermarketOrderSchema):
    """What the counter sees of a scanned receipt: the name masked, as on the receipt."""

    class Meta:
        exclude = ("resident_name",)

    masked_name = fields.Function(lambda order: mask_name(_resident_name(order)))


def _resident_name(order):
    return get_resident(order.resident_id).name


class SupermarketOrderQueryArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(ORDER_STATUSES))
    resident_id = fields.Integer()


class SupermarketOrderCancelArgs(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class SupermarketPickupArgs(Schema):
    #: the code on the receipt, scanned or typed
    code = fields.String(required=True, validate=validate.Length(4, 300))
    #: the counter the goods are handed over at: a receipt of another shop is refused
    supermarket_id = fields.Integer(strict=True)


class SupermarketPickupQueryArgs(Schema):
    #: the counter looking the code up: a receipt of another shop is refused
    supermarket_id = fields.Integer()


class SupermarketOrderLineArgs(Schema):
    item_id = fields.Integer(required=True, strict=True)
    quantity = fields.Integer(required=True, strict=True, validate=QUANTITY)


class SupermarketOrderCreateArgs(Schema):
    lines = fields.List(fields.Nested(SupermarketOrderLineArgs), required=True, validate=validate.Length(1, 50))


def _export_args(list_args):
    """The list's filters without paging: an export holds every match."""
    meta = type("Meta", (), {"exclude": ("page", "per_page")})
    return type(list_args.__name__.replace("QueryArgs", "ExportArgs"), (list_args,), {"Meta": meta})


SupermarketItemExportArgs = _export_args(SupermarketItemQueryArgs)
StockMovementExportArgs = _export_args(StockMovementQueryArgs)
SupermarketOrderExportArgs = _export_args(SupermarketOrderQueryArgs)
