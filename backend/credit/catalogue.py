"""The rule catalogue (村规民约 / 信用评价标准): items, their versions, inheritance and overrides.

A community sees the district's items, its town's and its own; an item of a
narrower scope with the same ``code`` replaces the wider one for it. Items
are never edited in place: an edit is a new version from a local date, and a
record keeps the version in force on the day of its deed.
"""
import re
import time

from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session, make_transient_to_detached, object_session
from sqlalchemy.orm.attributes import set_committed_value

from ..audit.service import record_audit
from ..common.auth import require_scope
from ..common.calendar import local_date
from ..common.time import utcnow
from ..errors import Forbidden, NotFound, ValidationFailed, Conflict
from ..extensions import db
from ..org.models import Community, Town
from ..residents.models import Resident
from .models import CatalogueItem, CatalogueItemVersion

CATEGORIES = {
    "volunteering": ("志愿服务", "Volunteering"),
    "environment": ("环境卫生", "Environment"),
    "family_neighbours": ("家庭邻里", "Family and neighbours"),
    "honesty": ("诚实守信", "Honesty"),
    "public_safety": ("公共安全", "Public safety"),
    "epidemic_prevention": ("疫情防控", "Epidemic prevention"),
    "civility": ("文明新风", "Civility"),
    "public_good": ("公益慈善", "Charity"),
    "law_order": ("遵纪守法", "Law and order"),
    "business": ("诚信经营", "Honest business"),
}
SCOPE_RANK = {"district": 0, "town": 1, "community": 2}
CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
VERSION_FIELDS = ["title_zh", "title_en", "category", "points", "variable_points", "cap_count", "cap_period",
                  "evidence_required", "severity", "active"]


def scope_key(scope, town_id=None, community_id=None):
    return {"district": "d", "town": f"t:{town_id}", "community": f"c:{community_id}"}[scope]


def version_in_force(item, day):
    """The version of ``item`` that applies to deeds on local ``day`` (None before its first)."""
    best = None
    for version in item.versions:
        if version.effective_from <= day and (
            best is None or (version.effective_from, version.version) > (best.effective_from, best.version)
        ):
            best = version
    return best


def latest_version(item):
    return max(item.versions, key=lambda v: (v.effective_from, v.version))


def _community(community_id):
    return db.session.get(Community, community_id)


def _scope_keys(community):
    return ["d", f"t:{community.town_id}", f"c:{community.id}"]


def effective_items(district_id, community=None, *, subject_type=None):
    """Items available to ``community`` (or district-wide ones only), overrides applied, by code."""
    keys = _scope_keys(community) if community is not None else ["d"]
    stmt = select(CatalogueItem).where(CatalogueItem.district_id == district_id, CatalogueItem.scope_key.in_(keys))
    if subject_type:
        stmt = stmt.where(CatalogueItem.subject_type == subject_type)
    chosen = {}
    for item in db.session.execute(stmt).scalars():
        held = chosen.get(item.code)
        if held is None or SCOPE_RANK[item.scope] > SCOPE_RANK[held.scope]:
            chosen[item.code] = item
    return sorted(chosen.values(), key=lambda i: (i.code, i.id))


#: seconds a process keeps a district's catalogue before it asks the database again
CACHE_SECONDS = 5.0
_cached = {}  # district id -> (monotonic time loaded, ({item id: detached copy with its versions}, by code))


def _district_items(district_id):
    """Every item of the district with its versions, as detached copies (read-only).

    Logging a deed, a sale's merchant credit and a volunteering record all look
    an item and its versions up; both never change once saved (an edit is a new
    version), so each process keeps a district's catalogue for ``CACHE_SECONDS``,
    like the district policy: a new item or version reaches other processes
    within that time, the process that wrote it at once, and the writing
    session reads the database.
    """
    return _district_catalogue(district_id)[0]


def _district_catalogue(district_id):
    """``({item id: item}, {code: [items]})`` of the district, from the process's cache (see above)."""
    if db.session.info.get("catalogue_written"):
        return _indexed(_load_items(district_id))
    hit = _cached.get(district_id)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    catalogue = _indexed(_load_items(district_id))
    _cached[district_id] = (time.monotonic(), catalogue)
    return catalogue


def _indexed(items):
    by_code = {}
    for item in items.values():
        by_code.setdefault(item.code, []).append(item)
    return items, by_code


def _load_items(district_id):
    rows = db.session.execute(select(CatalogueItem).where(CatalogueItem.district_id == district_id)).scalars().all()
    item_columns = [c.key for c in CatalogueItem.__mapper__.column_attrs]
    version_columns = [c.key for c in CatalogueItemVersion.__mapper__.column_attrs]
    copies = {}
    for row in rows:
        item = CatalogueItem(**{key: getattr(row, key) for key in item_columns})
        versions = [CatalogueItemVersion(**{key: getattr(v, key) for key in version_columns}) for v in row.versions]
        set_committed_value(item, "versions", versions)
        for version in versions:
            set_committed_value(version, "item", item)
            make_transient_to_detached(version)
        make_transient_to_detached(item)
        copies[item.id] = item
    return copies


def cached_item_and_version(district_id, item_id, version_id):
    """The read-only copies of an item and one of its versions from the process's catalogue (see
    ``_district_items``), or ``(None, None)`` when it does not hold them yet (the caller loads them)."""
    item = _district_items(district_id).get(item_id)
    if item is None:
        return None, None
    version = next((v for v in item.versions if v.id == version_id), None)
    return (item, version) if version is not None else (None, None)


def forget_cached_catalogue():
    _cached.clear()


@event.listens_for(CatalogueItem, "after_insert")
@event.listens_for(CatalogueItem, "after_update")
@event.listens_for(CatalogueItem, "after_delete")
@event.listens_for(CatalogueItemVersion, "after_insert")
@event.listens_for(CatalogueItemVersion, "after_update")
@event.listens_for(CatalogueItemVersion, "after_delete")
def _catalogue_written(_mapper, _connection, target):
    _cached.clear()  # rare: a whole clear is simpler than finding the version's district
    session = object_session(target)
    if session is not None:
        session.info["catalogue_written"] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _catalogue_settled(session, *_args):
    # once the write is committed (or undone) the process's cache, cleared at the write, is true again
    session.info.pop("catalogue_written", None)


def find_item(code, *, district_id, community_id=None):
    """The item called ``code`` that applies in ``community_id`` (or district-wide); None if none.

    Other domains use this to find e.g. ``volunteer_service`` before ``create_record``.
    The answer is a read-only copy from the process's catalogue (see ``_district_items``).
    """
    community = _community(community_id) if community_id is not None else None
    keys = _scope_keys(community) if community is not None else ["d"]
    # the items of that code only (a sale and every log look one up: not a walk through the catalogue)
    items = [i for i in _district_catalogue(district_id)[1].get(code, ()) if i.scope_key in keys]
    return max(items, key=lambda i: SCOPE_RANK[i.scope]) if items else None


def item_for_community(item_id, district_id, community):
    """The item if ``community`` may use it; clear 422s for unknown, foreign and overridden items.

    A read-only copy from the process's catalogue (see ``_district_items``).
    """
    item = _district_items(district_id).get(item_id)
    if item is None or item.district_id != district_id:
        raise ValidationFailed("未知的评价项目。Unknown catalogue item.", code="unknown_item",
                               errors={"item_id": ["Unknown catalogue item."]})
    keys = _scope_keys(community) if community is not None else ["d"]
    if item.scope_key not in keys:
        raise ValidationFailed("该评价项目不属于本社区。This item belongs to another town or community.",
                               code="item_not_available", errors={"item_id": ["Not an item of this community."]})
    winner = find_item(item.code, district_id=district_id, community_id=community.id if community else None)
    if winner.id != item.id:
        raise ValidationFailed(
            f"本社区已用自己的条目替代此项目（#{winner.id}）。This community overrides this item with item {winner.id}.",
            code="item_overridden", errors={"item_id": [f"Use item {winner.id}."]})
    return item


# --- reading ---------------------------------------------------------------------------


def item_view(item, version, *, with_versions=False):
    """A flat dict: the item and the content of ``version``."""
    out = {
        "id": item.id, "code": item.code, "scope": item.scope, "town_id": item.town_id,
        "community_id": item.community_id, "subject_type": item.subject_type, "created_at": item.created_at,
        "version": version.version if version else None,
        "version_id": version.id if version else None,
        "effective_from": version.effective_from if version else None,
    }
    for name in VERSION_FIELDS:
        out[name] = getattr(version, name) if version else None
    category = CATEGORIES.get(out["category"], (out["category"], out["category"]))
    out["category_zh"], out["category_en"] = category
    if with_versions:
        out["versions"] = sorted(item.versions, key=lambda v: v.version)
    return out


def _page_list(rows, page):
    start = (page["page"] - 1) * page["per_page"]
    return {"items": rows[start:start + page["per_page"]], "page": page["page"], "per_page": page["per_page"],
            "total": len(rows)}


def list_items(principal, args, page):
    """A page of ``item_rows``."""
    return _page_list(item_rows(principal, args), page)


def item_rows(principal, args):
    """Staff: the items of a community (overrides applied) or every item of the district.

    Residents: the items of their own community that are in force and active.
    (A catalogue holds hundreds of items, not millions: the list is built in memory.)
    """
    today = local_date(utcnow())
    if principal.kind == "resident":
        resident = db.session.get(Resident, principal.id)
        items = effective_items(principal.district_id, resident.community, subject_type="resident")
        args = {**args, "active": True}
    elif args.get("community_id") is not None:
        community = _community(args["community_id"])
        if community is None or community.district_id != principal.district_id:
            raise NotFound("No such community.", code="community_not_found")
        require_scope(principal, community.id)
        items = effective_items(principal.district_id, community, subject_type=args.get("subject_type"))
    else:
        stmt = select(CatalogueItem).where(CatalogueItem.district_id == principal.district_id)
        scope = principal.communities("worker", "reviewer")
        if scope is not None:  # community staff see district items, their towns' and their communities'
            towns = select(Community.town_id).where(Community.id.in_(scope))
            stmt = stmt.where(or_(CatalogueItem.scope == "district", CatalogueItem.town_id.in_(towns),
                                  CatalogueItem.community_id.in_(scope)))
        if args.get("scope"):
            stmt = stmt.where(CatalogueItem.scope == args["scope"])
        if args.get("subject_type"):
            stmt = stmt.where(CatalogueItem.subject_type == args["subject_type"])
        items = list(db.session.execute(stmt.order_by(CatalogueItem.code, CatalogueItem.id)).scalars())
    rows = []
    for item in items:
        version = version_in_force(item, today) or latest_version(item)
        if args.get("category") and version.category != args["category"]:
            continue
        if args.get("active") is not None and (version.active and version.effective_from <= today) != args["active"]:
            continue
        rows.append(item_view(item, version))
    return rows


def get_item(principal, item_id):
    item = db.session.get(CatalogueItem, item_id)
    if item is None or item.district_id != principal.district_id:
        raise NotFound("No such catalogue item.", code="item_not_found")
    version = version_in_force(item, local_date(utcnow())) or latest_version(item)
    return item_view(item, version, with_versions=True)


# --- writing ---------------------------------------------------------------------------


def _check_version_fields(data, subject_type):
    errors = {}
    points = data["points"]
    if points == 0:
        errors["points"] = ["Must not be zero: positive for good conduct, negative for bad."]
    if points < 0 and data.get("severity") not in ("minor", "serious"):
        errors["severity"] = ["A negative item is minor or serious."]
    if points > 0 and data.get("severity") is not None:
        errors["severity"] = ["Only negative items have a severity."]
    if (data.get("cap_count") is None) != (data.get("cap_period") is None):
        errors["cap_count"] = ["Give both cap_count and cap_period, or neither."]
    if data["category"] not in CATEGORIES:
        errors["category"] = [f"One of {', '.join(CATEGORIES)}."]
    if errors:
        raise ValidationFailed("The catalogue item is not consistent.", code="invalid_item", errors=errors)


def _authorise_scope(principal, data):
    scope = data["scope"]
    if scope == "community":
        community = _community(data.get("community_id")) if data.get("community_id") is not None else None
        if community is None or community.district_id != principal.district_id:
            raise ValidationFailed(errors={"community_id": ["Unknown community."]})
        require_scope(principal, community.id, "reviewer", hide=False)
        return {"town_id": None, "community_id": community.id}
    if "district_admin" not in principal.roles:
        raise Forbidden("Only the district credit centre edits district and town items.", code="role_required")
    if scope == "town":
        town = db.session.get(Town, data.get("town_id")) if data.get("town_id") is not None else None
        if town is None or town.district_id != principal.district_id:
            raise ValidationFailed(errors={"town_id": ["Unknown town."]})
        return {"town_id": town.id, "community_id": None}
    return {"town_id": None, "community_id": None}


def _authorise_item(principal, item):
    if item.scope == "community":
        require_scope(principal, item.community_id, "reviewer", hide=False)
    elif "district_admin" not in principal.roles:
        raise Forbidden("Only the district credit centre edits district and town items.", code="role_required")


def create_item(principal, data, *, actor=None):
    """A new item with its first version (``effective_from`` may be in the past for the first one)."""
    owner = _authorise_scope(principal, data) if principal is not None else {
        "town_id": data.get("town_id"), "community_id": data.get("community_id")}
    subject_type = data.get("subject_type", "resident")
    if not CODE.match(data["code"]):
        raise ValidationFailed(errors={"code": ["Lower-case letters, digits and _; 2 to 64 characters."]})
    if subject_type == "merchant" and data["scope"] != "district":
        raise ValidationFailed(errors={"scope": ["Merchant items are district-wide."]})
    _check_version_fields(data, subject_type)
    key = scope_key(data["scope"], owner["town_id"], owner["community_id"])
    district_id = principal.district_id if principal is not None else data["district_id"]
    if db.session.execute(select(CatalogueItem.id).where(
        CatalogueItem.district_id == district_id, CatalogueItem.scope_key == key, CatalogueItem.code == data["code"]
    )).first():
        raise Conflict("This code is already used in this scope.", code="code_taken",
                       errors={"code": ["Already used."]})
    wider = _wider_item(district_id, data["scope"], owner, data["code"])
    if wider is not None and wider.subject_type != subject_type:
        raise ValidationFailed(errors={"subject_type": ["An override keeps the subject type of the item it replaces."]})
    who = principal.ref if principal is not None else (actor or "system")
    item = CatalogueItem(district_id=district_id, scope=data["scope"], scope_key=key, code=data["code"],
                         subject_type=subject_type, created_by=who, **owner)
    db.session.add(item)
    db.session.flush()
    version = _add_version(item, data, data.get("effective_from") or local_date(utcnow()), who)
    if principal is not None:
        record_audit(principal, "catalogue_item.create", "catalogue_item", item.id,
                     after={"code": item.code, "scope": item.scope, **_summary(version)})
    return item_view(item, version, with_versions=True)


def _wider_item(district_id, scope, owner, code):
    keys = ["d"]
    if scope == "community":
        community = _community(owner["community_id"])
        keys.append(f"t:{community.town_id}")
    elif scope == "district":
        return None
    items = db.session.execute(select(CatalogueItem).where(
        CatalogueItem.district_id == district_id, CatalogueItem.scope_key.in_(keys), CatalogueItem.code == code
    )).scalars().all()
    return items[0] if items else None


def _add_version(item, data, effective_from, who):
    number = max((v.version for v in item.versions), default=0) + 1
    version = CatalogueItemVersion(version=number, effective_from=effective_from, created_by=who,
                                   **{name: data.get(name) for name in VERSION_FIELDS if name in data})
    for name, default in (("variable_points", False), ("evidence_required", False), ("active", True)):
        if getattr(version, name) is None:
            setattr(version, name, default)
    item.versions.append(version)
    db.session.flush()
    return version


def _summary(version):
    out = {name: getattr(version, name) for name in VERSION_FIELDS}
    out["effective_from"] = version.effective_from.isoformat()
    out["version"] = version.version
    return out


def update_item(principal, item_id, data):
    """A new version from ``effective_from`` (today or later); past records keep their version."""
    item = db.session.get(CatalogueItem, item_id)
    if item is None or item.district_id != principal.district_id:
        raise NotFound("No such catalogue item.", code="item_not_found")
    _authorise_item(principal, item)
    today = local_date(utcnow())
    latest = latest_version(item)
    effective_from = data.pop("effective_from", None) or max(today, latest.effective_from)
    if effective_from < today or effective_from < latest.effective_from:
        raise ValidationFailed(
            "新版本不能早于今天或上一版本。A new version takes effect today or later, not before the latest version.",
            code="effective_in_past", errors={"effective_from": [f"On or after {max(today, latest.effective_from)}."]})
    merged = {name: data.get(name, getattr(latest, name)) for name in VERSION_FIELDS}
    if "points" in data and data["points"] > 0 and "severity" not in data:
        merged["severity"] = None
    _check_version_fields(merged, item.subject_type)
    version = _add_version(item, merged, effective_from, principal.ref)
    record_audit(principal, "catalogue_item.update", "catalogue_item", item.id, before=_summary(latest),
                 after=_summary(version), reason=data.get("note"))
    return item_view(item, version, with_versions=True)
