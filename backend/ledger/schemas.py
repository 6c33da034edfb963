from marshmallow import Schema, fields, validate

from ..common.fields import UTCDateTime


class LedgerLineSchema(Schema):
    id = fields.Integer()
    #: signed: + points in, − points out
    delta = fields.Integer()
    #: ``credit_award``, ``credit_penalty``, ``redemption``, ``expiry``, ``reversal``, ``adjustment`` …
    kind = fields.String()
    #: the account on the other side: ``community_fund``, ``supermarket``, ``expiry`` …
    counterparty_kind = fields.String()
    ref_type = fields.String(allow_none=True)
    ref_id = fields.String(allow_none=True)
    memo = fields.String(allow_none=True)
    reverses_id = fields.Integer(allow_none=True)
    created_at = UTCDateTime()
    #: what it was for, in words: the rule's title (and the volunteer activity), the supermarket and its
    #: goods, or the staff's reason; a reversal says what it gave back. Null when there is nothing to say
    for_zh = fields.String(allow_none=True)
    for_en = fields.String(allow_none=True)
    #: the kind of the movement it was for (a reversal: the kind of the one it reverses)
    for_kind = fields.String()
    #: the balance this movement left
    balance_after = fields.Integer()


class LedgerHistorySchema(Schema):
    items = fields.List(fields.Nested(LedgerLineSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    balance = fields.Integer()


class AdjustmentArgs(Schema):
    resident_id = fields.Integer(required=True, strict=True)
    direction = fields.String(required=True, validate=validate.OneOf(("grant", "deduct")))
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1_000_000))
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class AdjustmentSchema(Schema):
    transfer_id = fields.Integer()
    resident_id = fields.Integer()
    delta = fields.Integer()
    balance = fields.Integer()
