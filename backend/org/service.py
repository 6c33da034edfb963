"""The organisation tree. District admins shape it; workers may add households."""
from sqlalchemy import exists, func, select

from ..audit.service import record_audit, summarize
from ..common.auth import require_scope
from ..common.pagination import paginate
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from .models import Community, District, Household, Town

NAMES = {Town: "town", Community: "community", Household: "household"}
FIELDS = {
    Town: ["code", "name_zh", "name_en", "kind"],
    Community: ["code", "name_zh", "name_en", "kind", "town_id"],
    Household: ["code", "name", "address", "community_id"],
}


def get_district(principal):
    return db.session.get(District, principal.district_id)


def update_district(principal, data):
    district = get_district(principal)
    before = summarize(district, ["name_zh", "name_en"])
    for name, value in data.items():
        setattr(district, name, value)
    db.session.flush()
    record_audit(principal, "district.update", "district", district.id, before=before,
                 after=summarize(district, ["name_zh", "name_en"]))
    return district


def _get(model, principal, obj_id):
    obj = db.session.get(model, obj_id)
    if obj is None or obj.district_id != principal.district_id:
        raise NotFound(f"No such {NAMES[model]}.")
    return obj


def _unique_code(model, principal, code, obj_id=None, **scope):
    stmt = select(model.id).where(model.code == code, *(getattr(model, k) == v for k, v in scope.items()))
    if obj_id is not None:
        stmt = stmt.where(model.id != obj_id)
    if db.session.execute(stmt).first():
        raise Conflict("This code is already used.", code="code_taken", errors={"code": ["Already used."]})


def list_towns(principal, page):
    return paginate(select(Town).where(Town.district_id == principal.district_id).order_by(Town.id), page)


def get_town(principal, town_id):
    return _get(Town, principal, town_id)


def create_town(principal, data):
    _unique_code(Town, principal, data["code"], district_id=principal.district_id)
    town = Town(district_id=principal.district_id, **data)
    return _created(principal, town)


def update_town(principal, town_id, data):
    town = _get(Town, principal, town_id)
    if "code" in data:
        _unique_code(Town, principal, data["code"], town.id, district_id=principal.district_id)
    return _updated(principal, town, data)


def delete_town(principal, town_id):
    town = _get(Town, principal, town_id)
    if db.session.execute(select(exists().where(Community.town_id == town.id))).scalar():
        raise Conflict("This town still has communities.", code="not_empty")
    _deleted(principal, town)


def communities_query(principal, args):
    stmt = select(Community).where(Community.district_id == principal.district_id)
    if args.get("town_id") is not None:
        stmt = stmt.where(Community.town_id == args["town_id"])
    return stmt.order_by(Community.id)


def list_communities(principal, args, page):
    return paginate(communities_query(principal, args), page)


def export_communities(principal, args):
    """The villages the list would show, each with its town's names, for an XLSX download."""
    towns = {town.id: town for town in db.session.execute(
        select(Town).where(Town.district_id == principal.district_id)).scalars()}
    rows = db.session.execute(communities_query(principal, args)).scalars()
    return [{"id": c.id, "code": c.code, "name_zh": c.name_zh, "name_en": c.name_en, "kind": c.kind,
             "town_zh": towns[c.town_id].name_zh, "town_en": towns[c.town_id].name_en} for c in rows]


def get_community(principal, community_id):
    return _get(Community, principal, community_id)


def _check_town(principal, town_id):
    town = db.session.get(Town, town_id)
    if town is None or town.district_id != principal.district_id:
        raise ValidationFailed(errors={"town_id": ["Unknown town."]})


def create_community(principal, data):
    _check_town(principal, data["town_id"])
    _unique_code(Community, principal, data["code"], district_id=principal.district_id)
    return _created(principal, Community(district_id=principal.district_id, **data))


def update_community(principal, community_id, data):
    community = _get(Community, principal, community_id)
    if "town_id" in data:
        _check_town(principal, data["town_id"])
    if "code" in data:
        _unique_code(Community, principal, data["code"], community.id, district_id=principal.district_id)
    return _updated(principal, community, data)


def delete_community(principal, community_id):
    # residents build on org (a resident names its community): org asks about them only here, at call time
    from ..residents.models import Resident

    community = _get(Community, principal, community_id)
    for model in (Household, Resident):
        if db.session.execute(select(exists().where(model.community_id == community.id))).scalar():
            raise Conflict("This community still has households or residents.", code="not_empty")
    _deleted(principal, community)


def _household_filters(principal, args):
    where = [Household.district_id == principal.district_id]
    scope = principal.communities("worker", "reviewer")
    if scope is not None:
        where.append(Household.community_id.in_(scope))
    if args.get("community_id") is not None:
        where.append(Household.community_id == args["community_id"])
    return where


def list_households(principal, args, page):
    return paginate(select(Household).where(*_household_filters(principal, args)).order_by(Household.id), page)


def export_households(principal, args):
    """The households the list shows, with their village and number of members, streamed as dicts."""
    # residents build on org: org counts them only here, at call time
    from ..residents.models import Resident

    members = (
        select(func.count(Resident.id)).where(Resident.household_id == Household.id, Resident.status == "active")
        .correlate(Household).scalar_subquery()
    )
    stmt = (
        select(Household.id, Household.code, Household.name, Household.address, Household.created_at,
               Community.name_zh.label("community_zh"), Community.name_en.label("community_en"),
               members.label("members"))
        .join(Community, Community.id == Household.community_id)
        .where(*_household_filters(principal, args))
        .order_by(Household.id)
        .execution_options(yield_per=1000)
    )
    for row in db.session.execute(stmt):
        yield row._asdict()


def get_household(principal, household_id):
    household = _get(Household, principal, household_id)
    require_scope(principal, household.community_id, "worker", "reviewer")
    return household


def create_household(principal, data):
    community = db.session.get(Community, data["community_id"])
    if community is None or community.district_id != principal.district_id:
        raise ValidationFailed(errors={"community_id": ["Unknown community."]})
    require_scope(principal, community.id, "worker", hide=False)
    _unique_code(Household, principal, data["code"], community_id=community.id)
    return _created(principal, Household(district_id=principal.district_id, **data))


def update_household(principal, household_id, data):
    household = _get(Household, principal, household_id)
    require_scope(principal, household.community_id, "worker")
    if "code" in data:
        _unique_code(Household, principal, data["code"], household.id, community_id=household.community_id)
    return _updated(principal, household, data)


def delete_household(principal, household_id):
    # residents build on org (a resident names its household): org asks about them only here, at call time
    from ..residents.models import Resident

    household = _get(Household, principal, household_id)
    require_scope(principal, household.community_id, "worker")
    if db.session.execute(select(exists().where(Resident.household_id == household.id))).scalar():
        raise Conflict("This household still has members.", code="not_empty")
    _deleted(principal, household)


def _name(obj):
    return NAMES[type(obj)]


def _created(principal, obj):
    db.session.add(obj)
    db.session.flush()
    record_audit(principal, f"{_name(obj)}.create", _name(obj), obj.id, after=summarize(obj, FIELDS[type(obj)]))
    return obj


def _updated(principal, obj, data):
    before = summarize(obj, FIELDS[type(obj)])
    for name, value in data.items():
        setattr(obj, name, value)
    db.session.flush()
    record_audit(principal, f"{_name(obj)}.update", _name(obj), obj.id, before=before,
                 after=summarize(obj, FIELDS[type(obj)]))
    return obj


def _deleted(principal, obj):
    record_audit(principal, f"{_name(obj)}.delete", _name(obj), obj.id, before=summarize(obj, FIELDS[type(obj)]))
    db.session.delete(obj)
    db.session.flush()


def community_names(district_id):
    """``{community id: (name_zh, name_en)}`` of a district (exports name villages, not numbers)."""
    rows = db.session.execute(select(Community.id, Community.name_zh, Community.name_en)
                              .where(Community.district_id == district_id))
    return {row.id: (row.name_zh, row.name_en) for row in rows}
