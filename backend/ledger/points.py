"""A resident's points: their history, and adjustments by hand (staff grants and deductions).

Above the ledger's core (``service``): it reads residents, checks conflicts of interest and
writes the audit log, then moves points only through ``service.transfer``.
"""
import uuid

from ..audit.service import record_audit
from ..extensions import db
from ..residents.households import check_conflict
from ..residents.service import get_resident_for_staff
from .service import account_history, ensure_account, get_account, transfer


def resident_history(resident_id, page):
    """A resident's points history (newest first) with the current balance."""
    account = get_account("resident", resident_id)
    if account is None:
        return {"items": [], "page": page["page"], "per_page": page["per_page"], "total": 0, "balance": 0}
    result = account_history(account, page)
    result["balance"] = int(account.balance)
    return result


def adjust_resident_points(principal, resident_id, direction, amount, reason):
    """A district admin grants or deducts points by hand, from or to the community fund.

    Deductions are guarded like every debit (never below zero: 409
    ``insufficient_points``); the HTTP layer's ``Idempotency-Key`` makes a
    retried request move nothing again.
    """
    resident = get_resident_for_staff(principal, resident_id, ("reviewer",))
    check_conflict(principal, resident)
    fund = ensure_account(resident.district_id, "community_fund", resident.community_id)
    account = ensure_account(resident.district_id, "resident", resident.id)
    source, target = (fund, account) if direction == "grant" else (account, fund)
    moved = transfer(source, target, amount, kind="adjustment", key=f"adjustment:{uuid.uuid4().hex}",
                     ref_type="resident", ref_id=resident.id, actor=principal.ref, memo=reason[:200])
    db.session.refresh(account, ["balance"])
    record_audit(principal, f"points.{direction}", "resident", resident.id, reason=reason,
                 after={"transfer_id": moved.id, "amount": amount, "balance": int(account.balance)})
    return {"transfer_id": moved.id, "resident_id": resident.id,
            "delta": amount if direction == "grant" else -amount, "balance": int(account.balance)}
