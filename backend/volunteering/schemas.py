from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from webargs.fields import DelimitedList

from ..common.fields import UTCDateTime
from ..common.pagination import PageArgs
from .certificates import certificate_url
from .models import ACTIVITY_STATUSES, PARTICIPATION_STATUSES

TITLE = validate.Length(1, 100)
REASON = validate.Length(1, 500)


def _quality(percent):
    return None if percent is None else float(Decimal(percent) / 100)


def _count(name):
    return fields.Function(lambda a: (getattr(a, "counts", None) or {}).get(name))


class ActivitySchema(Schema):
    """What staff of the activity's communities see."""

    id = fields.Integer()
    item_id = fields.Integer()
    title_zh = fields.String()
    title_en = fields.String()
    place = fields.String()
    description = fields.String(allow_none=True)
    starts_at = UTCDateTime()
    ends_at = UTCDateTime()
    capacity = fields.Integer()
    points_per_hour = fields.Integer()
    min_age = fields.Integer(allow_none=True)
    status = fields.String()
    community_ids = fields.List(fields.Integer())
    organiser_id = fields.Integer()
    created_at = UTCDateTime()
    opened_at = UTCDateTime(allow_none=True)
    started_at = UTCDateTime(allow_none=True)
    closed_at = UTCDateTime(allow_none=True)
    settled_at = UTCDateTime(allow_none=True)
    cancelled_at = UTCDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    confirmed_count = _count("confirmed")
    waiting_count = _count("waiting")
    on_site_count = _count("on_site")


class ActivityResidentSchema(Schema):
    """What a resident sees of an activity of their community."""

    id = fields.Integer()
    title_zh = fields.String()
    title_en = fields.String()
    place = fields.String()
    description = fields.String(allow_none=True)
    starts_at = UTCDateTime()
    ends_at = UTCDateTime()
    capacity = fields.Integer()
    points_per_hour = fields.Integer()
    min_age = fields.Integer(allow_none=True)
    status = fields.String()
    cancel_reason = fields.String(allow_none=True)
    confirmed_count = _count("confirmed")
    waiting_count = _count("waiting")


class ActivityCreateArgs(Schema):
    community_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(1, 50))
    #: a catalogue item of category ``volunteering``: the kind of service
    item_id = fields.Integer(required=True)
    title_zh = fields.String(required=True, validate=TITLE)
    title_en = fields.String(required=True, validate=TITLE)
    place = fields.String(required=True, validate=validate.Length(1, 200))
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))
    starts_at = UTCDateTime(required=True)
    ends_at = UTCDateTime(required=True)
    capacity = fields.Integer(required=True, validate=validate.Range(1, 10000))
    points_per_hour = fields.Integer(required=True, validate=validate.Range(1, 1000))
    min_age = fields.Integer(allow_none=True, validate=validate.Range(0, 120))


class ActivityUpdateArgs(Schema):
    community_ids = fields.List(fields.Integer(), validate=validate.Length(1, 50))
    item_id = fields.Integer()
    title_zh = fields.String(validate=TITLE)
    title_en = fields.String(validate=TITLE)
    place = fields.String(validate=validate.Length(1, 200))
    description = fields.String(allow_none=True, validate=validate.Length(max=2000))
    starts_at = UTCDateTime()
    ends_at = UTCDateTime()
    capacity = fields.Integer(validate=validate.Range(1, 10000))
    points_per_hour = fields.Integer(validate=validate.Range(1, 1000))
    min_age = fields.Integer(allow_none=True, validate=validate.Range(0, 120))


class ActivityQueryArgs(PageArgs):
    status = DelimitedList(fields.String(validate=validate.OneOf(ACTIVITY_STATUSES)))
    community_id = fields.Integer()
    #: only activities not yet over (draft, open, running)
    upcoming = fields.Boolean(load_default=False)
    starts_from = UTCDateTime()
    starts_until = UTCDateTime()


class ActivityCancelArgs(Schema):
    reason = fields.String(required=True, validate=REASON)


class QualityRatingArgs(Schema):
    participation_id = fields.Integer(required=True)
    #: a quality factor of the policy, e.g. 0.8, 1.0 or 1.2
    quality = fields.Decimal(required=True, validate=validate.Range(Decimal("0.01"), Decimal("5")),
                             metadata={"minimum": 0.01, "maximum": 5})  # numbers in OpenAPI, not strings


class QualityRatingsArgs(Schema):
    ratings = fields.List(fields.Nested(QualityRatingArgs), required=True, validate=validate.Length(1, 1000))


class ActivityCloseArgs(Schema):
    ratings = fields.List(fields.Nested(QualityRatingArgs), validate=validate.Length(max=1000))


class AttendanceScanArgs(Schema):
    """Exactly one of: the scanned QR content (URL or token) or the typed card number."""

    code = fields.String(validate=validate.Length(1, 500))
    card_number = fields.String(validate=validate.Length(1, 20))
    #: check-in only: someone not signed up is added as a walk-in (if there is room)
    walk_in = fields.Boolean(load_default=False)

    @validates_schema
    def _one_way(self, data, **kwargs):
        given = [name for name in ("code", "card_number") if data.get(name)]
        if len(given) != 1:
            raise ValidationError("Give exactly one of code or card_number.", "code")


class WalkInArgs(Schema):
    """Exactly one of: a scanned code, a typed card number, or a resident id from a search."""

    code = fields.String(validate=validate.Length(1, 500))
    card_number = fields.String(validate=validate.Length(1, 20))
    resident_id = fields.Integer()

    @validates_schema
    def _one_way(self, data, **kwargs):
        given = [name for name in ("code", "card_number", "resident_id") if data.get(name)]
        if len(given) != 1:
            raise ValidationError("Give exactly one of code, card_number or resident_id.", "code")


class TimeCorrectionArgs(Schema):
    checked_in_at = UTCDateTime()
    checked_out_at = UTCDateTime()
    reason = fields.String(required=True, validate=REASON)

    @validates_schema
    def _some_time(self, data, **kwargs):
        if data.get("checked_in_at") is None and data.get("checked_out_at") is None:
            raise ValidationError("Give checked_in_at, checked_out_at or both.", "checked_in_at")


class ParticipantWithdrawArgs(Schema):
    reason = fields.String(required=True, validate=REASON)


class ParticipationSchema(Schema):
    id = fields.Integer()
    activity_id = fields.Integer()
    resident_id = fields.Integer()
    resident_name = fields.Function(lambda p: p.resident.name)
    resident_community_id = fields.Function(lambda p: p.resident.community_id)
    status = fields.String()
    source = fields.String()
    signed_up_at = UTCDateTime()
    #: 1 = next to get a place; only while waiting
    waiting_position = fields.Function(lambda p: getattr(p, "waiting_position", None))
    promoted_at = UTCDateTime(allow_none=True)
    withdrawn_at = UTCDateTime(allow_none=True)
    checked_in_at = UTCDateTime(allow_none=True)
    checked_out_at = UTCDateTime(allow_none=True)
    checkout_forgotten = fields.Boolean()
    time_corrected = fields.Boolean()
    quality = fields.Function(lambda p: _quality(p.quality_percent))
    credited_minutes = fields.Integer(allow_none=True)
    points = fields.Integer(allow_none=True)
    credit_record_id = fields.Integer(allow_none=True)
    settled_at = UTCDateTime(allow_none=True)


class ParticipantQueryArgs(PageArgs):
    status = DelimitedList(fields.String(validate=validate.OneOf(PARTICIPATION_STATUSES)))
    #: only people checked in and not yet out
    on_site = fields.Boolean(load_default=False)


class MyParticipationQueryArgs(PageArgs):
    status = DelimitedList(fields.String(validate=validate.OneOf(PARTICIPATION_STATUSES)))


class MyParticipationSchema(Schema):
    """A resident's own place in an activity; a cancelled activity shows its reason."""

    id = fields.Integer()
    status = fields.String()
    source = fields.String()
    signed_up_at = UTCDateTime()
    waiting_position = fields.Function(lambda p: getattr(p, "waiting_position", None))
    checked_in_at = UTCDateTime(allow_none=True)
    checked_out_at = UTCDateTime(allow_none=True)
    credited_minutes = fields.Integer(allow_none=True)
    points = fields.Integer(allow_none=True)
    activity = fields.Nested(ActivityResidentSchema)


OUTCOMES = {
    "checked_in": ("签到成功", "Checked in."),
    "already_checked_in": ("已签到，无需重复扫码", "Already checked in; nothing changed."),
    "checked_out": ("签退成功", "Checked out."),
    "already_checked_out": ("已签退，无需重复扫码", "Already checked out; nothing changed."),
}


class AttendanceResultSchema(Schema):
    """The answer to a scan: what happened (a repeated scan changes nothing) and the participant."""

    outcome = fields.String(metadata={"enum": list(OUTCOMES)})
    message_zh = fields.Function(lambda r: OUTCOMES[r["outcome"]][0])
    message_en = fields.Function(lambda r: OUTCOMES[r["outcome"]][1])
    participation = fields.Nested(ParticipationSchema)


class VolunteerKindTotalSchema(Schema):
    year = fields.Integer()
    item_id = fields.Integer()
    title_zh = fields.String()
    title_en = fields.String()
    minutes = fields.Integer()
    hours = fields.Function(lambda row: float(Decimal(row["minutes"]) / 60))
    activities = fields.Integer()


class VolunteerYearTotalSchema(Schema):
    year = fields.Integer()
    minutes = fields.Integer()
    hours = fields.Function(lambda row: float(Decimal(row["minutes"]) / 60))
    activities = fields.Integer()


class VolunteerTotalsSchema(Schema):
    resident_id = fields.Integer()
    year = fields.Integer(allow_none=True)
    total_minutes = fields.Integer()
    total_hours = fields.Function(lambda t: float(Decimal(t["total_minutes"]) / 60))
    activities = fields.Integer()
    by_kind = fields.List(fields.Nested(VolunteerKindTotalSchema))
    by_year = fields.List(fields.Nested(VolunteerYearTotalSchema))


class VolunteerTotalsQueryArgs(Schema):
    year = fields.Integer(validate=validate.Range(2000, 2999))


class VolunteerCertificateCreateArgs(Schema):
    resident_id = fields.Integer(required=True)
    #: the calendar year to certify; none = every year
    year = fields.Integer(allow_none=True, validate=validate.Range(2000, 2999))


class MyVolunteerCertificateArgs(Schema):
    year = fields.Integer(allow_none=True, validate=validate.Range(2000, 2999))


class VolunteerCertificateSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    resident_id = fields.Integer()
    year = fields.Integer(allow_none=True)
    total_minutes = fields.Integer()
    total_hours = fields.Function(lambda c: float(Decimal(c.total_minutes) / 60))
    breakdown = fields.List(fields.Nested(VolunteerKindTotalSchema))
    issued_at = UTCDateTime()
    #: what the QR code on the certificate opens: anyone can check it there
    verify_url = fields.Method("_verify_url")
    #: the printable page (HTML; print to paper or PDF from the browser)
    print_url = fields.Function(lambda c: f"/api/v1/volunteering/certificates/{c.id}/print")

    def _verify_url(self, certificate):
        return certificate_url(certificate)
