"""Announcements (公告) to the residents of a community or of the whole district.

Rules carried here:

* a district-wide notice is written, edited and withdrawn by a district admin only; a community's
  by its workers and reviewers (and district admins); a community out of the writer's scope is
  answered 404 like any id they cannot see;
* a notice shows from ``publish_at`` until ``expire_at`` (open-ended without one) unless it has
  been withdrawn; a withdrawn notice stays in the table and can no longer be edited;
* pinned notices come first, then the newest;
* every staff write goes to the audit log with what it changed.
"""
from sqlalchemy import and_, or_, select

from ..audit.service import record_audit, summarize
from ..common.auth import require_scope
from ..common.pagination import paginate
from ..common.time import utcnow
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..org.models import Community
from ..residents.models import Resident
from .models import Announcement

WRITERS = ("worker", "reviewer")
AUDITED = ["scope", "community_id", "title_zh", "title_en", "body_zh", "body_en", "publish_at", "expire_at",
           "pinned", "withdrawn_at"]
EDITABLE = ("title_zh", "title_en", "body_zh", "body_en", "publish_at", "expire_at", "pinned")
#: the kiosk's welcome screen has room for a few
KIOSK_LIMIT = 10


def _require_admin(principal):
    if not principal.has_role("district_admin"):
        raise Forbidden("Your role does not allow this; it needs the role district_admin.", code="role_required")


def _check_writer(principal, scope, community_id):
    """May ``principal`` write a notice of this scope (and community)?"""
    if scope == "district":
        _require_admin(principal)
        return
    community = db.session.get(Community, community_id) if community_id is not None else None
    if community is None or community.district_id != principal.district_id:
        raise NotFound("No such community.", code="community_not_found")
    try:
        require_scope(principal, community.id, *WRITERS)
    except NotFound:
        raise NotFound("No such community.", code="community_not_found") from None


def _check_dates(publish_at, expire_at):
    if expire_at is not None and expire_at <= publish_at:
        raise ValidationFailed(errors={"expire_at": ["Must be later than publish_at."]})


def create_announcement(principal, data, *, now=None):
    """A new notice; ``publish_at`` defaults to now (it may also be in the future: scheduled)."""
    now = now or utcnow()
    scope = data["scope"]
    community_id = data.get("community_id")
    if scope == "community" and community_id is None:
        raise ValidationFailed(errors={"community_id": ["Required for a community announcement."]})
    if scope == "district" and community_id is not None:
        raise ValidationFailed(errors={"community_id": ["A district-wide announcement names no community."]})
    _check_writer(principal, scope, community_id)
    publish_at = data.get("publish_at") or now
    _check_dates(publish_at, data.get("expire_at"))
    notice = Announcement(
        district_id=principal.district_id, scope=scope, community_id=community_id,
        title_zh=data["title_zh"], title_en=data.get("title_en"), body_zh=data["body_zh"], body_en=data.get("body_en"),
        publish_at=publish_at, expire_at=data.get("expire_at"), pinned=data.get("pinned", False),
        created_by_user_id=principal.id, created_at=now, updated_at=now,
    )
    db.session.add(notice)
    db.session.flush()
    record_audit(principal, "announcement.create", "announcement", notice.id, after=summarize(notice, AUDITED))
    return notice


def get_announcement_for_staff(principal, announcement_id):
    """One notice the caller may see: every one of the district for an admin, else district-wide ones
    and those of their communities."""
    notice = db.session.get(Announcement, announcement_id)
    if notice is None or notice.district_id != principal.district_id:
        raise NotFound("No such announcement.", code="announcement_not_found")
    if notice.scope == "community" and not principal.can(notice.community_id):
        raise NotFound("No such announcement.", code="announcement_not_found")
    return notice


def _editable(principal, announcement_id):
    notice = get_announcement_for_staff(principal, announcement_id)
    if notice.scope == "district":
        _require_admin(principal)
    elif not principal.can(notice.community_id, *WRITERS):
        raise NotFound("No such announcement.", code="announcement_not_found")
    if notice.withdrawn_at is not None:
        raise Conflict("This announcement has been withdrawn.", code="announcement_withdrawn")
    return notice


def update_announcement(principal, announcement_id, data, *, now=None):
    """Change the texts, dates or pin of a notice that is not withdrawn (scope and community stay)."""
    notice = _editable(principal, announcement_id)
    before = summarize(notice, AUDITED)
    for name in EDITABLE:
        if name in data:
            setattr(notice, name, data[name])
    _check_dates(notice.publish_at, notice.expire_at)
    notice.updated_at = now or utcnow()
    db.session.flush()
    after = summarize(notice, AUDITED)
    changed = {k for k in AUDITED if before.get(k) != after.get(k)}
    record_audit(principal, "announcement.update", "announcement", notice.id,
                 before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return notice


def withdraw_announcement(principal, announcement_id, reason=None, *, now=None):
    """Take a notice down at once; it stays on record as withdrawn."""
    notice = _editable(principal, announcement_id)
    notice.withdrawn_at = now or utcnow()
    db.session.flush()
    record_audit(principal, "announcement.withdraw", "announcement", notice.id, before={"withdrawn_at": None},
                 after={"withdrawn_at": notice.withdrawn_at.isoformat()}, reason=reason)
    return notice


def _state_filter(state, now):
    if state == "withdrawn":
        return Announcement.withdrawn_at.is_not(None)
    live = Announcement.withdrawn_at.is_(None)
    if state == "scheduled":
        return and_(live, Announcement.publish_at > now)
    if state == "expired":
        return and_(live, Announcement.expire_at.is_not(None), Announcement.expire_at <= now)
    return and_(live, Announcement.publish_at <= now,
                or_(Announcement.expire_at.is_(None), Announcement.expire_at > now))


def _newest_first(stmt):
    return stmt.order_by(Announcement.pinned.desc(), Announcement.publish_at.desc(), Announcement.id.desc())


def announcements_query(principal, args, *, now=None):
    """The notices a staff member may see, filtered by scope, community and state."""
    now = now or utcnow()
    stmt = select(Announcement).where(Announcement.district_id == principal.district_id)
    mine = principal.communities("worker", "reviewer", "district_admin")
    if mine is not None:
        stmt = stmt.where(or_(Announcement.scope == "district", Announcement.community_id.in_(mine)))
    if args.get("scope"):
        stmt = stmt.where(Announcement.scope == args["scope"])
    if args.get("community_id") is not None:
        stmt = stmt.where(Announcement.community_id == args["community_id"])
    if args.get("state"):
        stmt = stmt.where(_state_filter(args["state"], now))
    return _newest_first(stmt)


def list_announcements(principal, args, page, *, now=None):
    return paginate(announcements_query(principal, args, now=now), page)


def export_announcements(principal, args):
    """Every notice the list would show, with its village's names, for an XLSX download."""
    names = dict((row.id, (row.name_zh, row.name_en)) for row in db.session.execute(
        select(Community.id, Community.name_zh, Community.name_en).where(Community.district_id == principal.district_id)))
    rows = db.session.execute(announcements_query(principal, args).execution_options(yield_per=1000)).scalars()
    return names, rows


def current_statement(district_id, community_ids, now):
    """Notices showing now to residents of ``community_ids``: theirs and the district's."""
    return _newest_first(
        select(Announcement).where(
            Announcement.district_id == district_id,
            or_(Announcement.scope == "district", Announcement.community_id.in_(list(community_ids))),
            _state_filter("current", now),
        )
    )


def list_for_resident(principal, page, *, now=None):
    """What a resident reads on the phone app's home: their community's notices and the district's."""
    resident = db.session.get(Resident, principal.id)
    if resident is None or resident.district_id != principal.district_id:
        raise NotFound("No such resident.", code="resident_not_found")
    return paginate(current_statement(resident.district_id, [resident.community_id], now or utcnow()), page)


def current_for_communities(district_id, community_ids, *, limit=KIOSK_LIMIT, now=None):
    """The newest notices showing now to residents of any of ``community_ids`` (the kiosk's welcome screen)."""
    stmt = current_statement(district_id, community_ids, now or utcnow()).limit(limit)
    return db.session.execute(stmt).scalars().all()
