from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..common.fields import UTCDateTime
from ..common.pagination import PageArgs
from .service import card_url

REASON = validate.Length(1, 200)


def exactly_one(data, *names):
    given = [n for n in names if data.get(n) is not None]
    if len(given) != 1:
        raise ValidationError({n: [f"Give exactly one of {' or '.join(names)}."] for n in names})


class KeySchema(Schema):
    kid = fields.String(metadata={"description": "key id: first 8 hex of sha256 of the raw public key"})
    alg = fields.String()
    public_key = fields.String(metadata={"description": "raw 32-byte Ed25519 public key, base64url"})
    signing = fields.Boolean(metadata={"description": "new tokens are signed with this key"})


class KeysSchema(Schema):
    alg = fields.String()
    version = fields.Integer()
    token_length = fields.Integer()
    keys = fields.List(fields.Nested(KeySchema))


class CardSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    subject_id = fields.Integer(metadata={"description": "resident or merchant id, by kind"})
    number = fields.String()
    status = fields.String()
    issued_at = UTCDateTime()
    revoked_at = UTCDateTime(allow_none=True)
    revoke_reason = fields.String(allow_none=True)
    url = fields.Function(lambda card: card_url(card) if card.status == "active" else None,
                          metadata={"description": "the QR content; null once revoked"})


class CardListItemSchema(CardSchema):
    """A card as the staff's list shows it: with whose it is (staff of the holder's community only)."""

    holder_name = fields.String(allow_none=True, metadata={"description": "the resident's or shop's name"})
    community_id = fields.Integer(allow_none=True, metadata={"description": "resident cards: the holder's village"})


class CardQueryArgs(PageArgs):
    resident_id = fields.Integer()
    merchant_id = fields.Integer()
    community_id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(["resident", "merchant"]))
    status = fields.String(validate=validate.OneOf(["active", "revoked"]))
    number = fields.String(validate=validate.Length(1, 20))


class CardExportArgs(Schema):
    """The filters of ``GET /cards`` without paging."""

    resident_id = fields.Integer()
    merchant_id = fields.Integer()
    community_id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(["resident", "merchant"]))
    status = fields.String(validate=validate.OneOf(["active", "revoked"]))
    number = fields.String(validate=validate.Length(1, 20))


class CardIssueArgs(Schema):
    resident_id = fields.Integer(allow_none=True)
    merchant_id = fields.Integer(allow_none=True)
    #: e.g. "card lost"; any earlier card of the holder stops working at once
    reason = fields.String(allow_none=True, validate=REASON)

    @validates_schema
    def _one_holder(self, data, **kwargs):
        exactly_one(data, "resident_id", "merchant_id")


class CardRevokeArgs(Schema):
    reason = fields.String(required=True, validate=REASON)


class PlaceArgs(Schema):
    community_id = fields.Integer(allow_none=True)
    household_id = fields.Integer(allow_none=True)

    @validates_schema
    def _one_place(self, data, **kwargs):
        exactly_one(data, "community_id", "household_id")


class SheetArgs(Schema):
    """Whose cards go on a printed sheet: a village, a household, or residents picked by hand."""

    community_id = fields.Integer(allow_none=True)
    household_id = fields.Integer(allow_none=True)
    #: repeat the parameter: ``?resident_ids=12&resident_ids=15`` (at most 200)
    resident_ids = fields.List(fields.Integer(), allow_none=True, validate=validate.Length(1, 200))

    @validates_schema
    def _one_place(self, data, **kwargs):
        exactly_one(data, "community_id", "household_id", "resident_ids")


class BatchResultSchema(Schema):
    issued = fields.Integer()
    existing = fields.Integer()
    numbers = fields.List(fields.String())


class PngArgs(Schema):
    box_size = fields.Integer(load_default=8, validate=validate.Range(2, 20),
                              metadata={"description": "pixels per QR module"})


class CodeArgs(Schema):
    code = fields.String(required=True, validate=validate.Length(1, 2048),
                         metadata={"description": "the scanned text: a bare token or a …/c/<token> URL; "
                                                  "where a phone code is accepted, also its typed number "
                                                  "(spaces allowed)"})


class ResidentPreviewSchema(Schema):
    masked_name = fields.String()
    community_name_zh = fields.String()
    community_name_en = fields.String()
    stars = fields.Integer()


class MerchantPreviewSchema(Schema):
    name = fields.String()
    category = fields.String()
    category_zh = fields.String()
    category_en = fields.String()
    status = fields.String()


class ScanPreviewSchema(Schema):
    kind = fields.String(metadata={"description": "resident_card, merchant_card or dynamic"})
    card_number = fields.String(allow_none=True)
    expires_at = UTCDateTime(allow_none=True)
    used = fields.Boolean(allow_none=True, metadata={"description": "dynamic codes: already spent?"})
    resident = fields.Nested(ResidentPreviewSchema, allow_none=True)
    merchant = fields.Nested(MerchantPreviewSchema, allow_none=True)


class DynamicCodeStatusSchema(Schema):
    used = fields.Boolean()
    #: what took it: ``discount`` (a merchant) or ``redemption`` (a kiosk); null while unused
    purpose = fields.String(allow_none=True)
    expires_at = UTCDateTime()


class DynamicCodeSchema(Schema):
    token = fields.String()
    url = fields.String(metadata={"description": "show this as a QR code"})
    number = fields.String(metadata={
        "description": "the same code as digits (18 for most residents) a merchant can type when the QR cannot "
                       "be scanned; show it under the QR in groups of four. Spending either face spends the code",
        "example": "283456789012345678"})
    expires_in = fields.Integer(metadata={"description": "seconds"})
    expires_at = UTCDateTime()
