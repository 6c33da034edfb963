"""红黑名单: the red list (top star level, residents and households 诚信示范户) and the black list
(residents with serious final records, which can never be repaired).

Both read the denormalised ``credit_subjects`` rows through their indexes; the
public versions carry masked names only (the schemas decide what is shown).
"""
from sqlalchemy import func, select

from ..common.auth import require_scope
from ..common.pagination import paginate
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..org.models import Community, District, Household
from ..residents.models import Resident
from .models import CreditSubject
from .policy import district_policy, stars_for


def _scope(principal, community_id):
    """Community ids to restrict to (None = the whole district) for a staff caller."""
    if community_id is not None:
        community = db.session.get(Community, community_id)
        if community is None or community.district_id != principal.district_id:
            raise NotFound("No such community.", code="community_not_found")
        require_scope(principal, community_id)
        return [community_id]
    scope = principal.communities("worker", "reviewer")
    return None if scope is None else sorted(scope)


def _public_scope(district_id, community_id):
    if community_id is not None:
        community = db.session.get(Community, community_id)
        if community is None or (district_id is not None and community.district_id != district_id):
            raise NotFound("No such community.", code="community_not_found")
        return community.district_id, [community_id]
    if district_id is None or db.session.get(District, district_id) is None:
        raise ValidationFailed(errors={"district_id": ["Give a district_id or a community_id."]})
    return district_id, None


def _resident_rows(rows, policy):
    return [
        {"resident_id": resident.id, "name": resident.name, "community_id": resident.community_id,
         "community_name_zh": name_zh, "community_name_en": name_en, "household_id": resident.household_id,
         "score": int(policy.base_score + delta), "stars": stars_for(policy.base_score + delta, policy),
         "serious_count": serious}
        for resident, delta, serious, name_zh, name_en in rows
    ]


def _red_residents_query(district_id, communities, policy):
    min_delta = policy.star_thresholds[-1] - policy.base_score
    delta = func.coalesce(CreditSubject.score_delta, 0)
    serious = func.coalesce(CreditSubject.serious_count, 0)
    stmt = select(Resident, delta.label("delta"), serious, Community.name_zh, Community.name_en)
    if min_delta > 0:  # only residents with credit entries can qualify: the score index finds them
        stmt = stmt.join(CreditSubject, CreditSubject.resident_id == Resident.id).where(
            CreditSubject.district_id == district_id, CreditSubject.subject_type == "resident",
            CreditSubject.score_delta >= min_delta)
    else:
        stmt = stmt.outerjoin(CreditSubject, CreditSubject.resident_id == Resident.id).where(delta >= min_delta)
    stmt = stmt.join(Community, Community.id == Resident.community_id).where(
        Resident.district_id == district_id, Resident.status == "active")
    if communities is not None:
        stmt = stmt.where(Resident.community_id.in_(communities))
    return stmt.order_by(delta.desc(), Resident.id)


def red_list_residents(district_id, communities, page):
    policy = district_policy(district_id)
    result = paginate(_red_residents_query(district_id, communities, policy), page, scalars=False)
    result["items"] = _resident_rows(result["items"], policy)
    return result


def _red_households_query(district_id, communities, policy):
    """诚信示范户: households whose members' average score reaches the top star level.

    An average can only reach the threshold if some member does, so only
    households with such a member are aggregated.
    """
    min_delta = policy.star_thresholds[-1] - policy.base_score
    member_delta = func.coalesce(CreditSubject.score_delta, 0)
    candidates = (
        select(Resident.household_id)
        .outerjoin(CreditSubject, CreditSubject.resident_id == Resident.id)
        .where(Resident.district_id == district_id, Resident.household_id.is_not(None), member_delta >= min_delta)
    )
    if communities is not None:
        candidates = candidates.where(Resident.community_id.in_(communities))
    average = func.avg(member_delta)
    return (
        select(Household, average.label("average"), func.count(Resident.id).label("members"),
               Community.name_zh, Community.name_en)
        .join(Resident, Resident.household_id == Household.id)
        .outerjoin(CreditSubject, CreditSubject.resident_id == Resident.id)
        .join(Community, Community.id == Household.community_id)
        .where(Household.id.in_(candidates), Resident.status == "active")
        .group_by(Household.id, Community.name_zh, Community.name_en)
        .having(average >= min_delta)
        .order_by(average.desc(), Household.id)
    )


def _household_rows(rows, policy):
    items = []
    for household, avg, members, name_zh, name_en in rows:
        score = int(policy.base_score + int(avg))
        items.append({"household_id": household.id, "name": household.name, "community_id": household.community_id,
                      "community_name_zh": name_zh, "community_name_en": name_en, "members": members,
                      "score": score, "stars": stars_for(score, policy)})
    return items


def red_list_households(district_id, communities, page):
    policy = district_policy(district_id)
    result = paginate(_red_households_query(district_id, communities, policy), page, scalars=False)
    result["items"] = _household_rows(result["items"], policy)
    return result


def _black_residents_query(district_id, communities):
    stmt = (
        select(Resident, CreditSubject.score_delta, CreditSubject.serious_count, Community.name_zh,
               Community.name_en)
        .join(CreditSubject, CreditSubject.resident_id == Resident.id)
        .join(Community, Community.id == Resident.community_id)
        .where(CreditSubject.district_id == district_id, CreditSubject.subject_type == "resident",
               CreditSubject.serious_count > 0, Resident.status == "active")
    )
    if communities is not None:
        stmt = stmt.where(Resident.community_id.in_(communities))
    return stmt.order_by(Resident.community_id, Resident.id)


def black_list_residents(district_id, communities, page):
    policy = district_policy(district_id)
    result = paginate(_black_residents_query(district_id, communities), page, scalars=False)
    result["items"] = _resident_rows(result["items"], policy)
    return result


def _streamed(stmt, to_rows, policy):
    """Rows of ``stmt`` read from the database a thousand at a time and shaped like the list's lines."""
    result = db.session.execute(stmt.execution_options(yield_per=1000))
    for chunk in result.partitions():
        yield from to_rows(chunk, policy)


def export_red_list(principal, args):
    """Every line of the red list with the list's filters (no paging), streamed for an XLSX download."""
    communities = _scope(principal, args.get("community_id"))
    policy = district_policy(principal.district_id)
    if args.get("kind") == "household":
        return _streamed(_red_households_query(principal.district_id, communities, policy), _household_rows, policy)
    return _streamed(_red_residents_query(principal.district_id, communities, policy), _resident_rows, policy)


def export_black_list(principal, args):
    communities = _scope(principal, args.get("community_id"))
    policy = district_policy(principal.district_id)
    return _streamed(_black_residents_query(principal.district_id, communities), _resident_rows, policy)


def red_list(principal, args, page):
    communities = _scope(principal, args.get("community_id"))
    if args.get("kind") == "household":
        return red_list_households(principal.district_id, communities, page)
    return red_list_residents(principal.district_id, communities, page)


def black_list(principal, args, page):
    return black_list_residents(principal.district_id, _scope(principal, args.get("community_id")), page)


def public_red_list(args, page):
    district_id, communities = _public_scope(args.get("district_id"), args.get("community_id"))
    if args.get("kind") == "household":
        return red_list_households(district_id, communities, page)
    return red_list_residents(district_id, communities, page)


def public_black_list(args, page):
    district_id, communities = _public_scope(args.get("district_id"), args.get("community_id"))
    return black_list_residents(district_id, communities, page)
