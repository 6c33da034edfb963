from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from ..auth.models import User
from ..common import i18n
from ..common.fields import UTCDateTime
from ..errors import localise
from ..extensions import db
from ..common.masking import mask_name
from ..common.pagination import PageArgs
from ..common.time import utcnow
from .catalogue import CATEGORIES
from .models import CAP_PERIODS, RECORD_STATUSES, SEVERITIES, SUBJECT_TYPES

SCOPES = ("district", "town", "community")
REASON = validate.Length(1, 500)
#: a decision's reason: spaces alone are no reason (the resident reads it)
DECISION_REASON = validate.And(REASON, validate.Regexp(r"\S", error="Write the reason."))


# --- catalogue ------------------------------------------------------------------------------


class CategorySchema(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()


class ItemVersionSchema(Schema):
    id = fields.Integer()
    version = fields.Integer()
    effective_from = fields.Date()
    title_zh = fields.String()
    title_en = fields.String()
    category = fields.String()
    points = fields.Integer()
    variable_points = fields.Boolean()
    cap_count = fields.Integer(allow_none=True)
    cap_period = fields.String(allow_none=True)
    evidence_required = fields.Boolean()
    severity = fields.String(allow_none=True)
    active = fields.Boolean()
    created_by = fields.String()
    created_at = UTCDateTime()


class ItemSchema(Schema):
    """An item with the content of the version in force today."""

    id = fields.Integer()
    code = fields.String()
    scope = fields.String()
    town_id = fields.Integer(allow_none=True)
    community_id = fields.Integer(allow_none=True)
    subject_type = fields.String()
    version = fields.Integer()
    version_id = fields.Integer()
    effective_from = fields.Date()
    title_zh = fields.String()
    title_en = fields.String()
    category = fields.String()
    category_zh = fields.String()
    category_en = fields.String()
    points = fields.Integer()
    variable_points = fields.Boolean()
    cap_count = fields.Integer(allow_none=True)
    cap_period = fields.String(allow_none=True)
    evidence_required = fields.Boolean()
    severity = fields.String(allow_none=True)
    active = fields.Boolean()
    created_at = UTCDateTime()


class ItemDetailSchema(ItemSchema):
    versions = fields.List(fields.Nested(ItemVersionSchema))


class ItemQueryArgs(PageArgs):
    community_id = fields.Integer()
    scope = fields.String(validate=validate.OneOf(SCOPES))
    category = fields.String(validate=validate.OneOf(list(CATEGORIES)))
    subject_type = fields.String(validate=validate.OneOf(SUBJECT_TYPES))
    active = fields.Boolean()


class ItemExportArgs(ItemQueryArgs):
    """The list's filters without paging: the export holds every match."""

    class Meta:
        exclude = ("page", "per_page")


class _ItemContent(Schema):
    title_zh = fields.String(validate=validate.Length(1, 200))
    title_en = fields.String(validate=validate.Length(1, 200))
    category = fields.String(validate=validate.OneOf(list(CATEGORIES)))
    #: signed and non-zero: + good conduct, − bad conduct
    points = fields.Integer(strict=True, validate=validate.Range(-1000, 1000))
    variable_points = fields.Boolean()
    cap_count = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=1000))
    cap_period = fields.String(allow_none=True, validate=validate.OneOf(CAP_PERIODS))
    evidence_required = fields.Boolean()
    severity = fields.String(allow_none=True, validate=validate.OneOf(SEVERITIES))
    active = fields.Boolean()
    #: first local day the content applies to deeds
    effective_from = fields.Date()


class ItemCreateArgs(_ItemContent):
    code = fields.String(required=True, validate=validate.Length(2, 64))
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    town_id = fields.Integer(allow_none=True)
    community_id = fields.Integer(allow_none=True)
    subject_type = fields.String(load_default="resident", validate=validate.OneOf(SUBJECT_TYPES))
    title_zh = fields.String(required=True, validate=validate.Length(1, 200))
    title_en = fields.String(required=True, validate=validate.Length(1, 200))
    category = fields.String(required=True, validate=validate.OneOf(list(CATEGORIES)))
    points = fields.Integer(required=True, strict=True, validate=validate.Range(-1000, 1000))


class ItemUpdateArgs(_ItemContent):
    """Fields not given keep the latest version's value; the result is a new version."""

    note = fields.String(validate=REASON)


# --- evidence and records ---------------------------------------------------------------------


class EvidenceSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    url = fields.Function(lambda e: f"/api/v1/evidence/{e.id}")
    created_at = UTCDateTime()


def _staff_name(user_id):
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    return user.display_name if user is not None else None


class RecordSchema(Schema):
    """What staff of the record's community see."""

    id = fields.Integer()
    subject_type = fields.String()
    resident_id = fields.Integer(allow_none=True)
    #: staff of the community know their residents by name (a review queue of ids is unusable)
    resident_name = fields.Function(lambda r: r.resident.name if r.resident_id is not None else None)
    merchant_id = fields.Integer(allow_none=True)
    community_id = fields.Integer(allow_none=True)
    item_id = fields.Integer()
    item_version_id = fields.Integer()
    item_code = fields.Function(lambda r: r.item.code)
    title_zh = fields.Function(lambda r: r.item_version.title_zh)
    title_en = fields.Function(lambda r: r.item_version.title_en)
    category = fields.String()
    points = fields.Integer()
    severity = fields.String(allow_none=True)
    status = fields.String()
    occurred_at = UTCDateTime()
    note = fields.String(allow_none=True)
    source_ref = fields.String(allow_none=True)
    logged_by = fields.String()
    logged_by_user_id = fields.Integer(allow_none=True)
    reviewed_by_user_id = fields.Integer(allow_none=True)
    reviewed_at = UTCDateTime(allow_none=True)
    review_note = fields.String(allow_none=True)
    notice_ends_at = UTCDateTime(allow_none=True)
    finalised_at = UTCDateTime(allow_none=True)
    voided_at = UTCDateTime(allow_none=True)
    void_reason = fields.String(allow_none=True)
    repaired_at = UTCDateTime(allow_none=True)
    created_at = UTCDateTime()
    evidence = fields.List(fields.Nested(EvidenceSchema))


class RecordDetailSchema(RecordSchema):
    """A record as the lists and the record page show it: with the logger's name. Not on the answers of
    logging or reviewing a record, whose callers know who they are (one statement fewer on those paths)."""

    #: the staff member who logged it, by name (null for system credit)
    logged_by_name = fields.Function(lambda r: _staff_name(r.logged_by_user_id), allow_none=True)


class MyRecordSchema(Schema):
    """What a resident sees of their own records."""

    id = fields.Integer()
    item_code = fields.Function(lambda r: r.item.code)
    title_zh = fields.Function(lambda r: r.item_version.title_zh)
    title_en = fields.Function(lambda r: r.item_version.title_en)
    category = fields.String()
    points = fields.Integer()
    severity = fields.String(allow_none=True)
    status = fields.String()
    occurred_at = UTCDateTime()
    note = fields.String(allow_none=True)
    review_note = fields.String(allow_none=True)
    notice_ends_at = UTCDateTime(allow_none=True)
    finalised_at = UTCDateTime(allow_none=True)
    voided_at = UTCDateTime(allow_none=True)
    void_reason = fields.String(allow_none=True)
    repaired_at = UTCDateTime(allow_none=True)
    created_at = UTCDateTime()
    evidence = fields.List(fields.Nested(EvidenceSchema))


class NoticeSchema(Schema):
    """A line of the notice board (公示栏): the name is masked."""

    id = fields.Integer()
    masked_name = fields.Function(lambda r: mask_name(r.resident.name) if r.resident else None)
    title_zh = fields.Function(lambda r: r.item_version.title_zh)
    title_en = fields.Function(lambda r: r.item_version.title_en)
    category = fields.String()
    points = fields.Integer()
    status = fields.String()
    occurred_at = UTCDateTime()
    notice_ends_at = UTCDateTime()


class RecordCreateArgs(Schema):
    resident_id = fields.Integer(required=True, strict=True)
    item_id = fields.Integer(required=True, strict=True)
    occurred_at = UTCDateTime(required=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=500))
    #: only for items with variable points
    points = fields.Integer(strict=True, allow_none=True)
    evidence_ids = fields.List(fields.Integer(strict=True), load_default=list, validate=validate.Length(max=10))


class RecordFilterArgs(Schema):
    """The records list's filters (its XLSX export takes these without paging)."""

    community_id = fields.Integer()
    resident_id = fields.Integer()
    merchant_id = fields.Integer()
    item_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(RECORD_STATUSES))


class RecordQueryArgs(PageArgs, RecordFilterArgs):
    pass


class MyRecordQueryArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(RECORD_STATUSES))


class NoticeBoardArgs(PageArgs):
    #: staff only; residents always see their own community
    community_id = fields.Integer()


class ApproveArgs(Schema):
    note = fields.String(validate=REASON)


class RejectArgs(Schema):
    reason = fields.String(required=True, validate=DECISION_REASON)


class BulkReviewArgs(Schema):
    #: each id at most once, at most ``BULK_REVIEW_MAX`` (200)
    #: ids fit PostgreSQL's integer: a larger one is bad input, not a database error
    ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1)), required=True,
                      validate=validate.Length(1, 200, error="Between 1 and 200 ids."))
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    #: required for rejections: every rejected record gets it
    reason = fields.String(validate=REASON)
    note = fields.String(validate=REASON)

    @validates_schema
    def _check(self, data, **_kwargs):
        ids = data.get("ids") or []
        if len(set(ids)) != len(ids):
            raise ValidationError("Each id at most once.", "ids")
        if data.get("decision") == "reject" and not data.get("reason"):
            raise ValidationError("Required when rejecting.", "reason")


def _problem_text(error):
    """(title, message) of a refusal in the reader's language, as its problem+json would say it."""
    title, detail, _ = localise(error.status, error.code, error.title, error.detail, None, i18n.language())
    return title, detail


class BulkReviewResultSchema(Schema):
    """One id's outcome: ``ok`` with the record's new status, or the problem that refused it."""

    id = fields.Function(lambda r: r[0])
    ok = fields.Function(lambda r: r[2] is None)
    record_status = fields.Function(lambda r: r[1].status if r[1] is not None else None)
    status = fields.Function(lambda r: r[2].status if r[2] is not None else None)
    code = fields.Function(lambda r: r[2].code if r[2] is not None else None)
    title = fields.Function(lambda r: _problem_text(r[2])[0] if r[2] is not None else None)
    message = fields.Function(lambda r: _problem_text(r[2])[1] if r[2] is not None else None)


class BulkReviewSchema(Schema):
    decision = fields.String()
    done = fields.Integer()
    refused = fields.Integer()
    results = fields.List(fields.Nested(BulkReviewResultSchema))


# --- objections and repairs ------------------------------------------------------------------


class RecordBriefSchema(Schema):
    id = fields.Integer()
    resident_id = fields.Integer(allow_none=True)
    item_code = fields.Function(lambda r: r.item.code)
    title_zh = fields.Function(lambda r: r.item_version.title_zh)
    title_en = fields.Function(lambda r: r.item_version.title_en)
    points = fields.Integer()
    severity = fields.String(allow_none=True)
    status = fields.String()
    occurred_at = UTCDateTime()
    finalised_at = UTCDateTime(allow_none=True)


def _overdue(objection):
    return objection.status == "open" and objection.due_at < utcnow()


class ObjectionSchema(Schema):
    id = fields.Integer()
    record_id = fields.Integer()
    community_id = fields.Integer(allow_none=True)
    objector_resident_id = fields.Integer()
    objector_name = fields.Function(lambda o: o.objector.name)
    #: the record's subject, by name (staff of the community know their residents)
    resident_name = fields.Function(lambda o: o.record.resident.name if o.record.resident_id is not None else None)
    reason = fields.String()
    against_final = fields.Boolean()
    status = fields.String()
    due_at = UTCDateTime()
    #: open and past the district's objection deadline
    overdue = fields.Function(_overdue)
    decided_at = UTCDateTime(allow_none=True)
    decided_by_user_id = fields.Integer(allow_none=True)
    decision_note = fields.String(allow_none=True)
    created_at = UTCDateTime()
    record = fields.Nested(RecordBriefSchema)


class MyObjectionSchema(Schema):
    id = fields.Integer()
    record_id = fields.Integer()
    reason = fields.String()
    against_final = fields.Boolean()
    status = fields.String()
    due_at = UTCDateTime()
    decided_at = UTCDateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    created_at = UTCDateTime()


class ObjectionCreateArgs(Schema):
    record_id = fields.Integer(required=True, strict=True)
    reason = fields.String(required=True, validate=validate.Length(1, 1000))


class ObjectionDecisionArgs(Schema):
    reason = fields.String(required=True, validate=DECISION_REASON)


class ObjectionFilterArgs(Schema):
    community_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(("open", "upheld", "dismissed")))
    overdue = fields.Boolean()


class ObjectionQueryArgs(PageArgs, ObjectionFilterArgs):
    pass


def _verified_hours(repair):
    from .repairs import verified_volunteer_hours

    return verified_volunteer_hours(repair)


class RepairSchema(Schema):
    id = fields.Integer()
    record_id = fields.Integer()
    resident_id = fields.Integer()
    #: the applicant, for the reviewer of their community
    resident_name = fields.Function(lambda r: r.resident.name)
    community_id = fields.Integer(allow_none=True)
    commitment = fields.String()
    volunteer_hours = fields.Integer()
    #: hours settled by volunteer activities since the deed (null if unknown), to check ``volunteer_hours``
    verified_volunteer_hours = fields.Function(_verified_hours, allow_none=True)
    status = fields.String()
    decided_at = UTCDateTime(allow_none=True)
    decided_by_user_id = fields.Integer(allow_none=True)
    decision_note = fields.String(allow_none=True)
    created_at = UTCDateTime()
    record = fields.Nested(RecordBriefSchema)


class MyRepairSchema(Schema):
    id = fields.Integer()
    record_id = fields.Integer()
    commitment = fields.String()
    volunteer_hours = fields.Integer()
    status = fields.String()
    decided_at = UTCDateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)
    created_at = UTCDateTime()
    record = fields.Nested(RecordBriefSchema)


class RepairOptionSchema(Schema):
    """One final deduction of mine and whether, and from when, I may ask to have it repaired."""

    record_id = fields.Integer()
    title_zh = fields.String()
    title_en = fields.String(allow_none=True)
    points = fields.Integer()
    severity = fields.String(allow_none=True)
    occurred_at = UTCDateTime()
    finalised_at = UTCDateTime()
    #: false for serious records: they are never repaired
    repairable = fields.Boolean()
    #: the earliest moment a request is accepted (UTC), and its calendar day in the district's time
    repair_from = UTCDateTime(allow_none=True)
    repair_from_local = fields.Date(allow_none=True)
    #: a request would be accepted now (the volunteer hours aside)
    can_apply = fields.Boolean()
    #: why not now: ``serious_not_repairable``, ``repair_pending``, ``objection_open`` or ``repair_too_early``
    blocked_by = fields.String(allow_none=True)
    pending_repair_id = fields.Integer(allow_none=True)


class RepairOptionsSchema(Schema):
    items = fields.List(fields.Nested(RepairOptionSchema))
    #: volunteer hours since the record the policy asks for (0: none)
    volunteer_hours_required = fields.Integer()
    wait_days = fields.Integer()


class RepairCreateArgs(Schema):
    record_id = fields.Integer(required=True, strict=True)
    #: the written commitment (信用修复承诺书)
    commitment = fields.String(required=True, validate=validate.Length(10, 2000))
    volunteer_hours = fields.Integer(strict=True, load_default=0, validate=validate.Range(0, 10000))


class RepairFilterArgs(Schema):
    community_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(("pending", "approved", "rejected")))


class RepairQueryArgs(PageArgs, RepairFilterArgs):
    pass


# --- standing, lists and policy ------------------------------------------------------------


class StandingSchema(Schema):
    score = fields.Integer()
    stars = fields.Integer()
    points = fields.Integer(allow_none=True)
    next_star = fields.Integer(allow_none=True)
    score_to_next_star = fields.Integer(allow_none=True)
    base_score = fields.Integer()
    star_thresholds = fields.List(fields.Integer())
    policy_version = fields.Integer()
    #: set when the standing is explained at a past moment
    at = UTCDateTime(allow_none=True)


class StandingQueryArgs(Schema):
    #: explain the standing as it was at this moment (policy then in force)
    at = UTCDateTime()


class ListFilterArgs(Schema):
    community_id = fields.Integer()
    kind = fields.String(load_default="resident", validate=validate.OneOf(("resident", "household")))


class ListArgs(PageArgs, ListFilterArgs):
    pass


class PublicListArgs(ListArgs):
    district_id = fields.Integer()


class ListEntrySchema(Schema):
    """Staff view of a red or black list line (a resident or a household)."""

    resident_id = fields.Integer()
    household_id = fields.Integer(allow_none=True)
    name = fields.String()
    community_id = fields.Integer()
    community_name_zh = fields.String()
    community_name_en = fields.String()
    members = fields.Integer()
    score = fields.Integer()
    stars = fields.Integer()
    serious_count = fields.Integer()


class PublicListEntrySchema(Schema):
    """Public red or black list line: the masked name only."""

    masked_name = fields.Function(lambda row: mask_name(row["name"]))
    community_name_zh = fields.String()
    community_name_en = fields.String()
    stars = fields.Integer()
    members = fields.Integer()


class BoundsSchema(Schema):
    min_percent = fields.Integer(required=True, strict=True, validate=validate.Range(0, 100))
    max_percent = fields.Integer(required=True, strict=True, validate=validate.Range(0, 100))


class PolicySchema(Schema):
    id = fields.Integer(allow_none=True)
    version = fields.Integer()
    effective_from = UTCDateTime(allow_none=True)
    base_score = fields.Integer()
    star_thresholds = fields.List(fields.Integer())
    notice_days = fields.Integer()
    objection_deadline_days = fields.Integer()
    repair_wait_days = fields.Integer()
    repair_volunteer_hours = fields.Integer()
    repair_needs_volunteer_hours = fields.Function(lambda p: p.repair_volunteer_hours > 0)
    points_life_days = fields.Integer()
    negatives_take_points = fields.Boolean()
    discount_bounds = fields.Function(
        lambda p: {str(k): {"min_percent": v[0], "max_percent": v[1]} for k, v in sorted(p.discount_bounds.items())})
    merchant_level_thresholds = fields.Dict(keys=fields.String(), values=fields.Integer())
    merchant_points_per_sale = fields.Integer()
    merchant_daily_cap = fields.Integer()
    note = fields.String(allow_none=True)
    created_by = fields.String()
    created_at = UTCDateTime(allow_none=True)


class PolicyUpdateArgs(Schema):
    """Fields not given keep the value in force; the result is a new version."""

    base_score = fields.Integer(strict=True, validate=validate.Range(0, 100000))
    star_thresholds = fields.List(fields.Integer(strict=True), validate=validate.Length(equal=5))
    notice_days = fields.Integer(strict=True, validate=validate.Range(0, 90))
    objection_deadline_days = fields.Integer(strict=True, validate=validate.Range(1, 365))
    repair_wait_days = fields.Integer(strict=True, validate=validate.Range(0, 3650))
    repair_volunteer_hours = fields.Integer(strict=True, validate=validate.Range(0, 1000))
    points_life_days = fields.Integer(strict=True, validate=validate.Range(1, 36500))
    negatives_take_points = fields.Boolean()
    #: {"3": {"min_percent": 5, "max_percent": 10}, …}; star levels without a key get no discount
    discount_bounds = fields.Dict(keys=fields.String(validate=validate.OneOf(["1", "2", "3", "4", "5"])),
                                  values=fields.Nested(BoundsSchema))
    merchant_level_thresholds = fields.Dict(keys=fields.String(validate=validate.OneOf(["A", "B", "C", "D"])),
                                            values=fields.Integer(strict=True))
    merchant_points_per_sale = fields.Integer(strict=True, validate=validate.Range(1, 1000))
    merchant_daily_cap = fields.Integer(strict=True, validate=validate.Range(0, 1000))
    effective_from = UTCDateTime()
    note = fields.String(validate=REASON)

    @post_load
    def bounds_by_star(self, data, **kwargs):
        if "discount_bounds" in data:
            bounds = {}
            for stars, pair in data["discount_bounds"].items():
                if pair["min_percent"] > pair["max_percent"]:
                    raise ValidationError({"discount_bounds": [f"Star {stars}: min_percent above max_percent."]})
                bounds[int(stars)] = (pair["min_percent"], pair["max_percent"])
            data["discount_bounds"] = bounds
        return data


class HomeSchema(Schema):
    """The resident app's first screen: score, stars, points, next star, newest 20 records."""

    score = fields.Integer()
    stars = fields.Integer()
    points = fields.Integer()
    next_star = fields.Integer(allow_none=True)
    score_to_next_star = fields.Integer(allow_none=True)
    records = fields.List(fields.Nested(MyRecordSchema))
