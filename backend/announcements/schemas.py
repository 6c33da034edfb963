from marshmallow import Schema, fields, validate

from ..common.fields import UTCDateTime
from ..common.pagination import PageArgs
from .models import SCOPES

TITLE = validate.Length(1, 200)
#: ids fit PostgreSQL's integer: a larger one is bad input, not a database error
ID = validate.Range(min=1, max=2**31 - 1)
BODY = validate.Length(1, 5000)
STATES = ("current", "scheduled", "expired", "withdrawn")


class AnnouncementSchema(Schema):
    id = fields.Integer()
    scope = fields.String()
    community_id = fields.Integer(allow_none=True)
    title_zh = fields.String()
    title_en = fields.String(allow_none=True)
    body_zh = fields.String()
    body_en = fields.String(allow_none=True)
    publish_at = UTCDateTime()
    expire_at = UTCDateTime(allow_none=True)
    pinned = fields.Boolean()
    created_by_user_id = fields.Integer()
    created_at = UTCDateTime()
    updated_at = UTCDateTime()
    withdrawn_at = UTCDateTime(allow_none=True)


class PublicAnnouncementSchema(Schema):
    """What residents and the kiosk read: the notice, not who wrote it."""

    id = fields.Integer()
    scope = fields.String()
    community_id = fields.Integer(allow_none=True)
    title_zh = fields.String()
    title_en = fields.String(allow_none=True)
    body_zh = fields.String()
    body_en = fields.String(allow_none=True)
    publish_at = UTCDateTime()
    expire_at = UTCDateTime(allow_none=True)
    pinned = fields.Boolean()


class AnnouncementCreateArgs(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    community_id = fields.Integer(allow_none=True, strict=True, validate=ID)
    title_zh = fields.String(required=True, validate=TITLE)
    title_en = fields.String(allow_none=True, validate=TITLE)
    body_zh = fields.String(required=True, validate=BODY)
    body_en = fields.String(allow_none=True, validate=BODY)
    #: defaults to now; a later time schedules the notice
    publish_at = UTCDateTime()
    expire_at = UTCDateTime(allow_none=True)
    pinned = fields.Boolean(load_default=False)


class AnnouncementUpdateArgs(Schema):
    title_zh = fields.String(validate=TITLE)
    title_en = fields.String(allow_none=True, validate=TITLE)
    body_zh = fields.String(validate=BODY)
    body_en = fields.String(allow_none=True, validate=BODY)
    publish_at = UTCDateTime()
    expire_at = UTCDateTime(allow_none=True)
    pinned = fields.Boolean()


class AnnouncementWithdrawArgs(Schema):
    reason = fields.String(validate=validate.Length(1, 500))


class AnnouncementFilterArgs(Schema):
    """The list's filters (its XLSX export takes these without paging)."""

    scope = fields.String(validate=validate.OneOf(SCOPES))
    community_id = fields.Integer(validate=ID)
    state = fields.String(validate=validate.OneOf(STATES))


class AnnouncementQueryArgs(PageArgs, AnnouncementFilterArgs):
    pass


class KioskAnnouncementsSchema(Schema):
    items = fields.List(fields.Nested(PublicAnnouncementSchema))
