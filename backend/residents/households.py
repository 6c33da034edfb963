"""Conflicts of interest: nobody acts on a record, repair, objection or points of themselves or of
their own household. Staff are linked to their own resident row through ``User.resident_id``.

Called by credit (logging, review, objections, repairs) and by the ledger's staff adjustments.
"""
from sqlalchemy import select

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


def check_conflict(principal, *residents):
    """Refuse when ``principal`` is one of ``residents`` or shares a household with one."""
    own_id, own_household = _own_household(principal)
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
