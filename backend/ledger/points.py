"""A resident's points: their history, and adjustments by hand (staff grants and deductions).

Above the ledger's core (``service``): it reads residents, checks conflicts of interest and
writes the audit log, then moves points only through ``service.transfer``.
"""
import uuid

from sqlalchemy import case, func, select

from ..audit.service import record_audit
from ..extensions import db
from ..residents.households import check_conflict
from ..residents.service import get_resident_for_staff
from .models import Transfer
from .service import account_history, ensure_account, get_account, transfer

#: ref_type → [(rank, describe)]: the domains above the ledger say what their transfers were for
_PURPOSES = {}


def register_purpose(ref_type, describe, *, rank=0):
    """``describe(ids)`` answers ``{ref id: (text_zh, text_en)}`` for transfers caused by ``ref_type`` rows
    (e.g. credit registers ``credit_record`` → the rule's title). Several describers of one ref_type are
    joined with " · " in ``rank`` order (volunteering adds the activity to a record's rule title). The
    ledger imports nothing above it; they register themselves when their module is imported."""
    entries = [entry for entry in _PURPOSES.get(ref_type, []) if entry[1].__qualname__ != describe.__qualname__
               or entry[1].__module__ != describe.__module__]
    _PURPOSES[ref_type] = sorted(entries + [(rank, describe)], key=lambda entry: entry[0])


def _ref_int(ref_id):
    return int(ref_id) if ref_id and ref_id.isdigit() else None


def describe_lines(lines):
    """Adds ``for_zh``/``for_en`` (what each history line was for) to the lines of ``account_history``:
    one query per kind of cause on the page, never one per line. A reversal says what it gave back."""
    originals = {}
    reversed_ids = {_ref_int(line["ref_id"]) for line in lines if line["ref_type"] == "transfer"} - {None}
    if reversed_ids:
        rows = db.session.execute(select(Transfer.id, Transfer.kind, Transfer.ref_type, Transfer.ref_id, Transfer.memo)
                                  .where(Transfer.id.in_(reversed_ids))).all()
        originals = {row.id: row for row in rows}
    causes = {}
    for line in lines:
        source = originals.get(_ref_int(line["ref_id"])) if line["ref_type"] == "transfer" else None
        ref_type, ref_id = (source.ref_type, source.ref_id) if source else (line["ref_type"], line["ref_id"])
        line["for_kind"] = source.kind if source else line["kind"]
        causes[line["id"]] = (ref_type, ref_id, source.memo if source else line["memo"])
    texts = {}
    for ref_type in {cause[0] for cause in causes.values()}:
        wanted = {_ref_int(cause[1]) for cause in causes.values() if cause[0] == ref_type} - {None}
        for _rank, describe in _PURPOSES.get(ref_type, []) if wanted else []:
            for ref_id, text in describe(sorted(wanted)).items():
                texts.setdefault((ref_type, str(ref_id)), []).append(text)
    for line in lines:
        ref_type, ref_id, memo = causes[line["id"]]
        parts = texts.get((ref_type, ref_id))
        if parts:
            line["for_zh"] = " · ".join(zh for zh, _en in parts)
            line["for_en"] = " · ".join(en or zh for zh, en in parts)
        elif line["for_kind"] == "adjustment" and memo:
            line["for_zh"] = line["for_en"] = memo  # the staff member's stated reason
        else:
            line["for_zh"] = line["for_en"] = None
    return lines


def resident_history(resident_id, page):
    """A resident's points history (newest first) with the current balance; each line says what it was
    for and the balance it left."""
    account = get_account("resident", resident_id)
    if account is None:
        return {"items": [], "page": page["page"], "per_page": page["per_page"], "total": 0, "balance": 0}
    result = account_history(account, page)
    balance = int(account.balance)
    result["balance"] = balance
    lines = result["items"]
    if lines:
        # the balance after the page's newest line: today's, less whatever came after it
        incoming = Transfer.to_account_id == account.id
        later = db.session.execute(
            select(func.coalesce(func.sum(case((incoming, Transfer.amount), else_=-Transfer.amount)), 0))
            .where((Transfer.from_account_id == account.id) | incoming, Transfer.id > lines[0]["id"])
        ).scalar_one() if page["page"] > 1 else 0
        after = balance - int(later)
        for line in lines:
            line["balance_after"] = after
            after -= line["delta"]
    describe_lines(lines)
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
