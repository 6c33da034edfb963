from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from ..common.fields import UTCDateTime
from ..common.masking import mask_name, mask_phone
from ..common.pagination import PageArgs
from ..org.schemas import NOT_BLANK

GENDERS = ("female", "male")
STATUSES = ("active", "moved_out", "deceased")
PHONE = validate.Regexp(r"^\+?\d{5,20}$", error="Digits only, 5 to 20.")
PIN = validate.Regexp(r"^\d{6}$", error="Exactly 6 digits.")


class ResidentSchema(Schema):
    """What staff of the resident's community see."""

    id = fields.Integer()
    name = fields.String()
    gender = fields.String()
    birth_year = fields.Integer()
    phone = fields.String(allow_none=True)
    community_id = fields.Integer()
    household_id = fields.Integer(allow_none=True)
    id_last4 = fields.String(allow_none=True)
    status = fields.String()
    has_pin = fields.Function(lambda r: r.pin_hash is not None)
    pin_locked_until = UTCDateTime(allow_none=True)
    created_at = UTCDateTime()


class ResidentSelfSchema(ResidentSchema):
    """What a resident sees of themselves (same fields, their own data)."""

    community_name_zh = fields.Function(lambda r: r.community.name_zh)
    community_name_en = fields.Function(lambda r: r.community.name_en)


class ResidentPublicSchema(Schema):
    """What anyone who is not staff of the community sees: masked."""

    id = fields.Integer()
    masked_name = fields.Function(lambda r: mask_name(r.name))
    masked_phone = fields.Function(lambda r: mask_phone(r.phone))
    community_id = fields.Integer()


class ResidentCreateArgs(Schema):
    name = fields.String(required=True, validate=validate.And(validate.Length(1, 50), NOT_BLANK))
    gender = fields.String(required=True, validate=validate.OneOf(GENDERS))
    birth_year = fields.Integer(required=True, validate=validate.Range(1900, 2100))
    phone = fields.String(allow_none=True, validate=PHONE)
    community_id = fields.Integer(required=True)
    household_id = fields.Integer(allow_none=True)
    #: kept only as a keyed hash and its last 4 characters
    id_number = fields.String(load_only=True, validate=validate.Length(18, 18))
    password = fields.String(load_only=True, validate=validate.Length(8, 200))


class ResidentUpdateArgs(Schema):
    name = fields.String(validate=validate.And(validate.Length(1, 50), NOT_BLANK))
    gender = fields.String(validate=validate.OneOf(GENDERS))
    birth_year = fields.Integer(validate=validate.Range(1900, 2100))
    phone = fields.String(allow_none=True, validate=PHONE)
    community_id = fields.Integer()
    household_id = fields.Integer(allow_none=True)
    status = fields.String(validate=validate.OneOf(STATUSES))
    id_number = fields.String(load_only=True, validate=validate.Length(18, 18))
    password = fields.String(load_only=True, validate=validate.Length(8, 200))


class ResidentQueryArgs(PageArgs):
    community_id = fields.Integer()
    household_id = fields.Integer()
    q = fields.String(validate=validate.Length(1, 50))
    id_number = fields.String(validate=validate.Length(18, 18))


class ResidentExportArgs(Schema):
    """The filters of ``GET /residents`` without paging: the export holds every match."""

    community_id = fields.Integer()
    household_id = fields.Integer()
    q = fields.String(validate=validate.Length(1, 50))
    id_number = fields.String(validate=validate.Length(18, 18))


class PinArgs(Schema):
    pin = fields.String(required=True, load_only=True, validate=PIN)


class LookupSchema(Schema):
    id = fields.Integer()
    actor_name = fields.String()
    what = fields.String()
    created_at = UTCDateTime()


class StaffLookupSchema(Schema):
    """One line of the look-up log (查询登记) as the district admin or the village's reviewer sees it."""

    id = fields.Integer()
    resident_id = fields.Integer()
    resident_name = fields.String()
    community_id = fields.Integer()
    #: ``staff:12`` or ``merchant:3``
    actor = fields.String()
    actor_name = fields.String()
    what = fields.String()
    ip = fields.String(allow_none=True)
    created_at = UTCDateTime()


class LookupFilterArgs(Schema):
    community_id = fields.Integer()
    resident_id = fields.Integer()
    actor = fields.String(validate=validate.Length(1, 64))
    what = fields.String(validate=validate.Length(1, 40))
    since = UTCDateTime()
    #: exclusive; not after ``since`` is refused (``date_range_reversed``)
    until = UTCDateTime()


class LookupQueryArgs(PageArgs, LookupFilterArgs):
    pass


class RosterProblemSchema(Schema):
    row = fields.Integer(metadata={"description": "Row number in the sheet (the header is row 1)"})
    column = fields.String()
    code = fields.String()
    message_zh = fields.String()
    message_en = fields.String()


class RosterImportSchema(Schema):
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    problems = fields.List(fields.Nested(RosterProblemSchema))
    committed = fields.Boolean()


class RosterUploadArgs(Schema):
    file = Upload(required=True)


class RosterCommitArgs(Schema):
    #: false: a preview that writes nothing; true: write every row or none
    commit = fields.Boolean(load_default=False)


class ActivationCodeSchema(Schema):
    """Shown once, to the worker who hands it over; only a hash is kept."""

    resident_id = fields.Integer()
    code = fields.String(metadata={"description": "8 digits; shown only in this answer"})
    phone = fields.String()
    expires_at = UTCDateTime()
