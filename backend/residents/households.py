"""Conflicts of interest: nobody acts on a record, repair, objection or points of themselves or of
their own household. Staff are linked to their own resident row through ``User.resident_id``.

Called by credit (logging, review, objections, repairs) and by the ledger's staff adjustments.
"""
from sqlalchemy import bindparam, select

from ..auth.models import User
from ..common.auth import Principal
from ..errors import Forbidden
from ..extensions import db
from .models import Resident


def _own_household(principal):
    """(resident id, household id) the staff member is linked to, or (None, None)."""
    if not isinstance(principal, Principal) or principal.kind != "staff":
        return None, None
    # the link and the household in one statement
    row = db.session.execute(
        select(User.resident_id, Resident.household_id).outerjoin(Resident, Resident.id == User.resident_id)
        .where(User.id == principal.id)
    ).first()
    if row is None or row.resident_id is None:
        return None, None
    return row.resident_id, row.household_id


def own_link_columns():
    """The resident id and household id the staff member ``:own_user_id`` is linked to, as two labelled
    scalar subqueries (NULL for an unlinked one, or for ``own_user_id=None``).

    For a hot path that reads the resident or the record anyway: added to that statement, the
    conflict check costs no statement of its own; ``check_conflict_with`` then applies the rule.
    Pass ``own_user_params(principal)`` with the statement's parameters.
    """
    user = bindparam("own_user_id", type_=User.id.type)
    # correlate(None): the statement they join may read ``residents`` itself; these never refer to its rows
    return (select(User.resident_id).where(User.id == user).correlate(None)
            .scalar_subquery().label("own_resident_id"),
            select(Resident.household_id).join(User, User.resident_id == Resident.id)
            .where(User.id == user).correlate(None).scalar_subquery().label("own_household_id"))


def own_user_params(principal):
    """The parameter of ``own_link_columns`` for ``principal`` (only staff have a link)."""
    staff = isinstance(principal, Principal) and principal.kind == "staff"
    return {"own_user_id": principal.id if staff else None}


def check_conflict(principal, *residents):
    """Refuse when ``principal`` is one of ``residents`` or shares a household with one."""
    check_conflict_with(*_own_household(principal), *residents)


def check_conflict_with(own_id, own_household, *residents):
    """``check_conflict`` for a caller that read the staff member's link (``own_link_columns``)."""
    if own_id is None:
        return
    for resident in residents:
        if resident is None:
            continue
        if resident.id == own_id or (own_household is not None and resident.household_id == own_household):
            raise Forbidden(
                "利益冲突：不能为本人或同户家庭成员办理。"
                "Conflict of interest: you cannot act on a record of yourself or of your own household.",
                code="conflict_of_interest")
