from marshmallow import Schema, fields

from ..common.fields import UTCDateTime
from ..common.pagination import PageArgs


class AuditLogSchema(Schema):
    id = fields.Integer()
    actor = fields.String()
    action = fields.String()
    target_type = fields.String()
    target_id = fields.String(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    reason = fields.String(allow_none=True)
    ip = fields.String(allow_none=True)
    created_at = UTCDateTime()


class AuditFilterArgs(Schema):
    actor = fields.String()
    action = fields.String()
    target_type = fields.String()
    target_id = fields.String()
    #: entries about a resident, record, objection or repair of this community
    community_id = fields.Integer()
    since = UTCDateTime()
    #: exclusive; not after ``since`` is refused (``date_range_reversed``)
    until = UTCDateTime()


class AuditQueryArgs(PageArgs, AuditFilterArgs):
    pass
