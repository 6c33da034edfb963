"""信用报告: a resident's or a household's credit report, issued at the subject's request.

The report states the score and stars on the day of issue, the final records of
a chosen period (at most three years), the repairs and the red and black lists;
it is numbered per district (``XY2026-000123``) and carries a QR code (a card
token of kind ``credit_report``) that opens ``/r/<token>``, where anyone can see
that it is genuine with the name masked and the numbers as issued. Issuing one
is a look-up of the subject's archive: it is logged there and in the audit log.
"""
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..audit.service import record_audit
from ..cards import tokens
from ..common.auth import require_scope
from ..common.calendar import local_date, local_midnight_utc, offset
from ..common.masking import mask_name
from ..common.pagination import paginate
from ..common.time import utcnow
from ..credit.models import CatalogueItemVersion, CreditRecord, CreditSubject, RepairRequest
from ..credit.policy import district_policy, stars_for
from ..credit.scoring import resident_standing
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..org.models import Community, District, Household
from ..residents.models import Resident
from ..residents.service import get_resident_for_staff, log_lookup
from .errors import CreditReportNotFound
from .models import CreditReport

#: staff who may issue and read credit reports of residents of their communities (admins: all)
ROLES = ("worker", "reviewer")
#: the longest period one report covers: three years (one of them may have a 29 February)
MAX_PERIOD_DAYS = 3 * 365 + 1
LOOKUP = "credit_report"
COUNTED = ("final", "repaired")


# --- the period ----------------------------------------------------------------------------


def report_period(period_from, period_to, today=None):
    """``(from, to)`` local days: by default the year up to today; never in the future, at most three years."""
    today = today or local_date(utcnow())
    period_to = period_to or today
    period_from = period_from or (period_to - timedelta(days=364))
    if period_to > today:
        raise ValidationFailed("A credit report cannot cover days still to come.", code="invalid_period",
                               errors={"to": ["Not after today."]})
    if period_from > period_to:
        raise ValidationFailed("The period starts after it ends.", code="invalid_period",
                               errors={"from": ["After 'to' (the last day)."]})
    if (period_to - period_from).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationFailed("A credit report covers at most three years.", code="invalid_period",
                               errors={"from": ["At most three years before 'to'."]})
    return period_from, period_to


# --- what a report says ----------------------------------------------------------------------


def _records(resident_ids, period_from, period_to):
    """The final (and repaired) records of the residents that happened in the period, oldest first."""
    names = dict(db.session.execute(select(Resident.id, Resident.name).where(Resident.id.in_(resident_ids))).all())
    rows = db.session.execute(
        select(CreditRecord.id, CreditRecord.resident_id, CreditRecord.occurred_at, CreditRecord.points,
               CreditRecord.status, CreditRecord.category, CreditRecord.severity, CreditRecord.repaired_at,
               CatalogueItemVersion.title_zh, CatalogueItemVersion.title_en)
        .join(CatalogueItemVersion, CatalogueItemVersion.id == CreditRecord.item_version_id)
        .where(CreditRecord.resident_id.in_(resident_ids), CreditRecord.status.in_(COUNTED),
               CreditRecord.occurred_at >= local_midnight_utc(period_from),
               CreditRecord.occurred_at < local_midnight_utc(period_to + timedelta(days=1)))
        .order_by(CreditRecord.occurred_at, CreditRecord.id)
    ).all()
    return [{"id": row.id, "name": names[row.resident_id], "date": local_date(row.occurred_at).isoformat(),
             "title_zh": row.title_zh, "title_en": row.title_en, "category": row.category, "points": row.points,
             "status": row.status, "severity": row.severity} for row in rows]


def _repairs(resident_ids, period_from, period_to):
    """Repair requests decided in the period (approved or not), with the record they were about."""
    rows = db.session.execute(
        select(RepairRequest.id, RepairRequest.status, RepairRequest.decided_at, CreditRecord.points,
               CatalogueItemVersion.title_zh, CatalogueItemVersion.title_en)
        .join(CreditRecord, CreditRecord.id == RepairRequest.record_id)
        .join(CatalogueItemVersion, CatalogueItemVersion.id == CreditRecord.item_version_id)
        .where(RepairRequest.resident_id.in_(resident_ids), RepairRequest.decided_at.is_not(None),
               RepairRequest.decided_at >= local_midnight_utc(period_from),
               RepairRequest.decided_at < local_midnight_utc(period_to + timedelta(days=1)))
        .order_by(RepairRequest.decided_at, RepairRequest.id)
    ).all()
    return [{"id": row.id, "status": row.status, "date": local_date(row.decided_at).isoformat(),
             "title_zh": row.title_zh, "title_en": row.title_en, "points": -row.points} for row in rows]


def _totals(records, repairs):
    good = [r for r in records if r["points"] > 0]
    bad = [r for r in records if r["points"] < 0]
    return {"good_records": len(good), "bad_records": len(bad),
            "points_added": sum(r["points"] for r in good), "points_deducted": -sum(r["points"] for r in bad),
            "repaired_records": sum(1 for r in records if r["status"] == "repaired"),
            "repairs_approved": sum(1 for r in repairs if r["status"] == "approved")}


def _member(resident, policy):
    standing = resident_standing(resident.id)
    serious = db.session.execute(
        select(CreditSubject.serious_count).where(CreditSubject.resident_id == resident.id)).scalar_one_or_none()
    top = len(policy.star_thresholds)
    return {"resident_id": resident.id, "name": resident.name, "score": standing["score"],
            "stars": standing["stars"], "red_list": top > 0 and standing["stars"] >= top,
            "black_list": bool(serious)}


def _place(community):
    return {"community_zh": community.name_zh, "community_en": community.name_en,
            "town_zh": community.town.name_zh, "town_en": community.town.name_en}


def resident_snapshot(resident, period_from, period_to):
    policy = district_policy(resident.district_id)
    member = _member(resident, policy)
    records = _records([resident.id], period_from, period_to)
    repairs = _repairs([resident.id], period_from, period_to)
    return {
        "subject_type": "resident", "name": resident.name, "masked_name": mask_name(resident.name),
        "id_last4": resident.id_last4, **_place(resident.community),
        "household": resident.household.name if resident.household_id else None,
        "score": member["score"], "stars": member["stars"], "max_stars": len(policy.star_thresholds),
        "base_score": policy.base_score, "red_list": member["red_list"], "black_list": member["black_list"],
        "totals": _totals(records, repairs), "records": records, "repairs": repairs,
    }


def household_snapshot(household, period_from, period_to):
    """A household (信用户): each member's standing, the average (as the red list ranks households)."""
    policy = district_policy(household.district_id)
    residents = db.session.execute(
        select(Resident).where(Resident.household_id == household.id, Resident.status == "active")
        .order_by(Resident.id)).scalars().all()
    members = [_member(resident, policy) for resident in residents]
    ids = [m["resident_id"] for m in members]
    records = _records(ids, period_from, period_to) if ids else []
    repairs = _repairs(ids, period_from, period_to) if ids else []
    average = round(sum(m["score"] for m in members) / len(members)) if members else policy.base_score
    return {
        "subject_type": "household", "name": household.name, "masked_name": mask_name(household.name),
        "household_code": household.code, **_place(household.community),
        "score": average, "stars": stars_for(average, policy), "max_stars": len(policy.star_thresholds),
        "base_score": policy.base_score, "members": members,
        "red_list": any(m["red_list"] for m in members), "black_list": any(m["black_list"] for m in members),
        "totals": _totals(records, repairs), "records": records, "repairs": repairs,
    }


# --- issuing ----------------------------------------------------------------------------------


def _subject_for_staff(principal, args):
    resident_id, household_id = args.get("resident_id"), args.get("household_id")
    if (resident_id is None) == (household_id is None):
        raise ValidationFailed("Name either a resident or a household.", code="invalid_subject",
                               errors={"resident_id": ["Give resident_id or household_id, not both."]})
    if resident_id is not None:
        return get_resident_for_staff(principal, resident_id, ROLES), None
    household = db.session.get(Household, household_id)
    if household is None or household.district_id != principal.district_id:
        raise NotFound("No such household.", code="household_not_found")
    require_scope(principal, household.community_id, *ROLES)
    return None, household


def _next_number(district_id, issued_at):
    seq = db.session.execute(
        select(func.coalesce(func.max(CreditReport.seq), 0)).where(CreditReport.district_id == district_id)
    ).scalar_one() + 1
    return seq, f"XY{local_date(issued_at).year}-{seq:06d}"


def _insert(report):
    """Give the report the district's next number; two issued at once race for it, and the loser takes
    the one after (the unique key on district and sequence decides)."""
    for _attempt in range(5):
        report.seq, report.number = _next_number(report.district_id, report.issued_at)
        try:
            with db.session.begin_nested():
                db.session.add(report)
                db.session.flush()
            return report
        except IntegrityError:
            if report in db.session:
                db.session.expunge(report)
    raise Conflict("Too many reports issued at once; try again.", code="report_number_busy")


def issue_credit_report(principal, args):
    """Issue a credit report: for staff of the subject's community, or the resident about themself."""
    period_from, period_to = report_period(args.get("from"), args.get("to"))
    if principal.kind == "resident":
        resident, household = db.session.get(Resident, principal.id), None
    else:
        resident, household = _subject_for_staff(principal, args)
    if resident is not None:
        snapshot = resident_snapshot(resident, period_from, period_to)
        looked_up = [resident]
        community_id = resident.community_id
    else:
        snapshot = household_snapshot(household, period_from, period_to)
        looked_up = [db.session.get(Resident, member["resident_id"]) for member in snapshot["members"]]
        community_id = household.community_id
    now = utcnow()
    report = CreditReport(
        district_id=principal.district_id, subject_type="resident" if resident is not None else "household",
        resident_id=resident.id if resident is not None else None,
        household_id=household.id if household is not None else None, community_id=community_id,
        period_from=period_from, period_to=period_to, purpose=args["purpose"].strip(),
        requested_by=(args.get("requested_by") or "").strip() or snapshot["name"], nonce=secrets.token_hex(8),
        issued_by=principal.ref, issued_at=now, snapshot=snapshot,
    )
    _insert(report)
    for person in looked_up:
        log_lookup(principal, person, LOOKUP)
    record_audit(principal, "reports.credit_report_issue", "credit_report", report.id,
                 after={"number": report.number, "subject_type": report.subject_type,
                        "resident_id": report.resident_id, "household_id": report.household_id,
                        "period_from": period_from.isoformat(), "period_to": period_to.isoformat(),
                        "purpose": report.purpose, "score": snapshot["score"], "stars": snapshot["stars"]})
    db.session.flush()
    return report


def get_credit_report(principal, report_id):
    """One report: staff of its community (the read is logged as a look-up of each subject), or the
    resident it is about (a household's report shows every member, so it goes to staff only)."""
    report = db.session.get(CreditReport, report_id)
    if report is None or report.district_id != principal.district_id:
        raise CreditReportNotFound("No such credit report.")
    if principal.kind == "resident":
        if report.resident_id != principal.id:
            raise CreditReportNotFound("No such credit report.")
        return report
    require_scope(principal, report.community_id, *ROLES)
    subjects = [report.resident_id] if report.resident_id is not None else [
        member["resident_id"] for member in report.snapshot.get("members", [])]
    for resident_id in subjects:
        log_lookup(principal, db.session.get(Resident, resident_id), LOOKUP)
    return report


def list_credit_reports(principal, args, page):
    """Reports of my communities (staff) or my own (residents), newest first."""
    stmt = select(CreditReport).where(CreditReport.district_id == principal.district_id)
    if principal.kind == "resident":
        stmt = stmt.where(CreditReport.resident_id == principal.id)
    else:
        scope = principal.communities(*ROLES)
        if scope is not None:
            stmt = stmt.where(CreditReport.community_id.in_(scope))
        for key in ("resident_id", "household_id", "community_id"):
            if args.get(key) is not None:
                stmt = stmt.where(getattr(CreditReport, key) == args[key])
    return paginate(stmt.order_by(CreditReport.id.desc()), page)


# --- verification ------------------------------------------------------------------------------


def report_token(report):
    return tokens.sign(tokens.KIND_CREDIT_REPORT, report.id, nonce=report.nonce)


def verify_url(report):
    return f"{current_app.config['PUBLIC_BASE_URL']}/r/{report_token(report)}"


def pdf_url(report):
    return f"/api/v1/credit-reports/{report.id}.pdf"


def verify_report(token):
    """The report a QR code stands for, or ``CreditReportNotFound`` for anything forged or unknown."""
    try:
        payload = tokens.verify(tokens.extract(token), kinds=(tokens.KIND_CREDIT_REPORT,))
    except (tokens.UnreadableToken, tokens.WrongTokenKind):
        raise CreditReportNotFound("这不是有效的信用报告二维码。This is not a valid credit report code.") from None
    except tokens.InvalidToken:
        raise CreditReportNotFound("此报告不是本信用中心出具的。This report was not issued here.") from None
    report = db.session.get(CreditReport, payload.subject_id)
    if report is None or report.nonce != payload.nonce:
        raise CreditReportNotFound("没有这份信用报告。No such credit report.")
    return report


def report_view(report):
    """Everything the PDF and the verification page show."""
    district = db.session.get(District, report.district_id)
    community = db.session.get(Community, report.community_id)
    snapshot = report.snapshot
    return {
        "report": report, "s": snapshot, "district": district, "community": community,
        "issued_local": (report.issued_at + offset()).strftime("%Y-%m-%d %H:%M"),
        "issued_date": local_date(report.issued_at),
        "url": verify_url(report),
    }


def public_report(view):
    """What anyone holding the report's QR code may see: the name masked, the headline numbers as issued."""
    report, snapshot, district = view["report"], view["s"], view["district"]
    return {
        "valid": True, "number": report.number, "subject_type": report.subject_type,
        "masked_name": snapshot["masked_name"],
        "district_zh": district.name_zh, "district_en": district.name_en,
        "community_zh": snapshot["community_zh"], "community_en": snapshot["community_en"],
        "period_from": report.period_from.isoformat(), "period_to": report.period_to.isoformat(),
        "score": snapshot["score"], "stars": snapshot["stars"], "max_stars": snapshot["max_stars"],
        "red_list": snapshot["red_list"], "black_list": snapshot["black_list"],
        "totals": snapshot["totals"], "issued_at": report.issued_at.isoformat() + "Z",
    }
