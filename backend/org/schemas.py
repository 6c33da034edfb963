from marshmallow import Schema, fields, validate

from ..common.fields import UTCDateTime
from ..common.pagination import PageArgs

CODE = validate.Regexp(r"^[A-Za-z0-9_-]{1,32}$", error="Letters, digits, - and _ only (1-32).")
#: a name has at least one character that is not a blank ("  " is no name)
NOT_BLANK = validate.Regexp(r"(?s).*\S", error="Must not be blank.")
NAME = validate.And(validate.Length(1, 100), NOT_BLANK)


class DistrictSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()


class DistrictUpdateArgs(Schema):
    name_zh = fields.String(validate=NAME)
    name_en = fields.String(validate=NAME)


class TownSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    kind = fields.String()
    created_at = UTCDateTime()


class TownCreateArgs(Schema):
    code = fields.String(required=True, validate=CODE)
    name_zh = fields.String(required=True, validate=NAME)
    name_en = fields.String(required=True, validate=NAME)
    kind = fields.String(load_default="town", validate=validate.OneOf(["town", "street"]))


class TownUpdateArgs(Schema):
    code = fields.String(validate=CODE)
    name_zh = fields.String(validate=NAME)
    name_en = fields.String(validate=NAME)
    kind = fields.String(validate=validate.OneOf(["town", "street"]))


class CommunitySchema(Schema):
    id = fields.Integer()
    town_id = fields.Integer()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    kind = fields.String()
    created_at = UTCDateTime()


class CommunityCreateArgs(Schema):
    town_id = fields.Integer(required=True)
    code = fields.String(required=True, validate=CODE)
    name_zh = fields.String(required=True, validate=NAME)
    name_en = fields.String(required=True, validate=NAME)
    kind = fields.String(load_default="village", validate=validate.OneOf(["village", "community"]))


class CommunityUpdateArgs(Schema):
    town_id = fields.Integer()
    code = fields.String(validate=CODE)
    name_zh = fields.String(validate=NAME)
    name_en = fields.String(validate=NAME)
    kind = fields.String(validate=validate.OneOf(["village", "community"]))


class CommunityFilterArgs(Schema):
    """The villages list's filter (its XLSX export takes it without paging)."""

    town_id = fields.Integer()


class CommunityQueryArgs(PageArgs, CommunityFilterArgs):
    pass


class HouseholdSchema(Schema):
    id = fields.Integer()
    community_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    address = fields.String(allow_none=True)
    created_at = UTCDateTime()


class HouseholdCreateArgs(Schema):
    community_id = fields.Integer(required=True)
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=NAME)
    address = fields.String(allow_none=True, validate=validate.Length(max=200))


class HouseholdUpdateArgs(Schema):
    code = fields.String(validate=CODE)
    name = fields.String(validate=NAME)
    address = fields.String(allow_none=True, validate=validate.Length(max=200))


class HouseholdQueryArgs(PageArgs):
    community_id = fields.Integer()


class HouseholdExportArgs(Schema):
    """The filters of ``GET /households`` without paging."""

    community_id = fields.Integer()
