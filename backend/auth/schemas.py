from marshmallow import Schema, fields, validate

from ..common.auth import STAFF_ROLES
from ..common.fields import UTCDateTime
from ..common.pagination import PageArgs
from ..org.schemas import NOT_BLANK


class LoginArgs(Schema):
    username = fields.String(required=True, validate=validate.Length(1, 64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(1, 200))


class ResidentLoginArgs(Schema):
    phone = fields.String(required=True, validate=validate.Regexp(r"^\+?\d{5,20}$"))
    password = fields.String(required=True, load_only=True, validate=validate.Length(1, 200))


class ResidentActivateArgs(Schema):
    phone = fields.String(required=True, validate=validate.Regexp(r"^\+?\d{5,20}$", error="Digits only, 5 to 20."))
    code = fields.String(required=True, load_only=True,
                         validate=validate.Regexp(r"^\d{8}$", error="Exactly 8 digits."))
    #: required when the resident's ID number is on record
    id_last4 = fields.String(load_only=True, load_default=None,
                             validate=validate.Regexp(r"^\d{3}[\dXx]$", error="The last 4 characters of the ID number."))
    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 200))


class TokenSchema(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    session_id = fields.String()


class MeSchema(Schema):
    kind = fields.String()
    id = fields.Integer()
    district_id = fields.Integer()
    roles = fields.Dict(keys=fields.String(), values=fields.List(fields.Integer(), allow_none=True))
    merchant_id = fields.Integer(allow_none=True)
    device_id = fields.Integer(allow_none=True)
    supermarket_id = fields.Integer(allow_none=True)


class RoleArgs(Schema):
    role = fields.String(required=True, validate=validate.OneOf(STAFF_ROLES))
    community_id = fields.Integer(allow_none=True, load_default=None)


class RoleSchema(Schema):
    role = fields.String()
    community_id = fields.Integer(allow_none=True)


class StaffSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    merchant_id = fields.Integer(allow_none=True)
    resident_id = fields.Integer(allow_none=True)
    is_active = fields.Boolean()
    roles = fields.List(fields.Nested(RoleSchema))
    created_at = UTCDateTime()


class StaffCreateArgs(Schema):
    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{3,64}$"))
    display_name = fields.String(required=True, validate=validate.And(validate.Length(1, 100), NOT_BLANK))
    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 200))
    merchant_id = fields.Integer(allow_none=True, load_default=None)
    resident_id = fields.Integer(allow_none=True, load_default=None)
    roles = fields.List(fields.Nested(RoleArgs), load_default=list)


class StaffUpdateArgs(Schema):
    display_name = fields.String(validate=validate.And(validate.Length(1, 100), NOT_BLANK))
    password = fields.String(load_only=True, validate=validate.Length(8, 200))
    is_active = fields.Boolean()
    roles = fields.List(fields.Nested(RoleArgs))


class StaffListArgs(PageArgs):
    pass
