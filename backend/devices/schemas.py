from marshmallow import Schema, fields, validate

from ..common.fields import UTCDateTime


class DeviceSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    community_id = fields.Integer()
    supermarket_id = fields.Integer(allow_none=True)
    paired_at = UTCDateTime(allow_none=True)
    disabled_at = UTCDateTime(allow_none=True)
    created_at = UTCDateTime()


class DeviceWithCodeSchema(DeviceSchema):
    #: shown once; the kiosk types it in to pair
    pairing_code = fields.String()
    pairing_expires_at = UTCDateTime()


class DeviceCreateArgs(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 100))
    community_id = fields.Integer(required=True)
    supermarket_id = fields.Integer(allow_none=True, load_default=None)


class DeviceDisableArgs(Schema):
    disabled = fields.Boolean(required=True)
    reason = fields.String(validate=validate.Length(max=500))


class PairArgs(Schema):
    pairing_code = fields.String(required=True, validate=validate.Length(4, 32))


class PairedSchema(Schema):
    device = fields.Nested(DeviceSchema)
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
