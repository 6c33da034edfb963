"""The reports' monthly roll-ups: the same exact answers whether the job ran a minute ago, long ago or never."""
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from backend.common.time import utcnow
from backend.credit import scoring
from backend.credit.models import CreditRecord
from backend.credit.policy import district_policy
from backend.extensions import db
from backend.ledger import service as ledger
from backend.ledger.models import Account, Transfer
from backend.reports import rollups
from backend.reports import service as reports
from backend.reports.models import (
    HouseholdSummary, PointsRollup, RecordsRollup, ResidentSummary, RollupState, VillageParticipation, VillageScore,
)
from backend.residents.models import ResidentChange
from tests.conftest import postgres_only
from tests.credit.conftest import principal_of
from tests.reports.test_reports import district_with_points  # noqa: F401 — the ledger fixture of the points report


def _refresh(district_id):
    done = rollups.refresh(district_id)
    db.session.commit()
    return done


def _points(client, auth, d, **query):
    query = {"from": d["last_month"], **query}
    url = "/api/v1/reports/points?" + "&".join(f"{k}={v}" for k, v in query.items())
    body = client.get(url, headers=auth(d["admin"])).get_json()
    return body


def _rollup_rows(model):
    columns = [c for c in model.__table__.columns if c.name != "id"]
    return sorted(tuple(row) for row in db.session.execute(select(*columns)).all())


def test_points_report_is_the_same_live_with_a_fresh_and_with_a_stale_watermark(client, auth, district_with_points):
    d = district_with_points
    district_id = d["village"].district_id
    live = _points(client, auth, d)
    assert _refresh(district_id)["transfers"] > 0
    assert db.session.get(RollupState, district_id).transfer_id == db.session.execute(
        select(func.max(Transfer.id))).scalar()
    assert _points(client, auth, d) == live  # fresh watermark: everything from the roll-ups
    # new points after the watermark: the report is still exact, reading them live
    account = ledger.ensure_account(district_id, "resident", d["alice"].id)
    fund = ledger.ensure_account(district_id, "community_fund", d["alice"].community_id)
    ledger.transfer(fund, account, 7, kind="credit_award", key="late-award")
    db.session.commit()
    stale = _points(client, auth, d)
    assert stale["months"][-1]["issued"] == live["months"][-1]["issued"] + 7
    assert stale["outstanding"] == reports.ledger_totals(district_id) == live["outstanding"] + 7
    assert _refresh(district_id)["transfers"] == 1
    assert _points(client, auth, d) == stale
    assert ledger.check_balances() == []


def test_points_follow_a_resident_who_moved_after_the_roll_up(client, auth, district_with_points):
    d = district_with_points
    district_id = d["village"].district_id
    _refresh(district_id)
    before = [_points(client, auth, d, community_id=c.id)["outstanding"] for c in (d["village"], d["other"])]
    assert before == [10, 50]
    carol = d["carol"]  # 50 points, rolled up in the other village
    carol.community_id = d["village"].id
    db.session.commit()
    assert db.session.execute(select(ResidentChange.from_community_id, ResidentChange.to_community_id)).all() == [
        (d["other"].id, d["village"].id)]
    moved = [_points(client, auth, d, community_id=c.id)["outstanding"] for c in (d["village"], d["other"])]
    assert moved == [60, 0]
    # and back again before the job runs: the two moves cancel out
    carol.community_id = d["other"].id
    db.session.commit()
    assert [_points(client, auth, d, community_id=c.id)["outstanding"] for c in (d["village"], d["other"])] == before
    carol.community_id = d["village"].id
    db.session.commit()
    assert _refresh(district_id)["moves"] == 3
    assert [_points(client, auth, d, community_id=c.id)["outstanding"] for c in (d["village"], d["other"])] == moved
    assert _points(client, auth, d)["outstanding"] == reports.ledger_totals(district_id) == 60


def test_refreshing_twice_counts_nothing_twice(client, auth, district_with_points):
    d = district_with_points
    district_id = d["village"].district_id
    first = _refresh(district_id)
    rows = _rollup_rows(PointsRollup)
    assert first["rebuilt"] == 1 and rows
    again = _refresh(district_id)
    assert (again["transfers"], again["entries"], again["moves"], again["rebuilt"]) == (0, 0, 0, 0)
    assert _rollup_rows(PointsRollup) == rows


def test_a_changed_local_calendar_rebuilds_the_roll_ups(app, client, auth, district_with_points):
    d = district_with_points
    district_id = d["village"].district_id
    _refresh(district_id)
    app.config["CREDIT_UTC_OFFSET_HOURS"] = 2
    assert _refresh(district_id)["rebuilt"] == 1
    assert db.session.get(RollupState, district_id).offset_minutes == 120
    assert _points(client, auth, d)["outstanding"] == reports.ledger_totals(district_id)


# --- records ------------------------------------------------------------------------------------

@pytest.fixture
def deeds(district_with_points, make_item):
    """Final, voided, repaired, repaired-then-voided and pending records over two months and two villages."""
    d = district_with_points
    good, bad = make_item("cleanup", 5), make_item("parking", -4, category="honesty")
    last_month = utcnow().replace(day=1) - timedelta(days=3)

    def deed(resident, item, *, at=None):
        subject_id = scoring.lock_subject(resident.district_id, "resident", resident.id)
        version = item.versions[-1]
        record = CreditRecord(
            district_id=resident.district_id, subject_type="resident", resident_id=resident.id,
            subject_id=subject_id, community_id=resident.community_id, item_id=item.id,
            item_version_id=version.id, points=version.points, severity=version.severity,
            category=version.category, status="in_notice", occurred_at=at or utcnow(), logged_by="test")
        db.session.add(record)
        db.session.flush()
        return record

    records = {
        "final": scoring.finalise(deed(d["alice"], good, at=last_month)),
        "final_now": scoring.finalise(deed(d["bob"], good)),
        "bad": scoring.finalise(deed(d["carol"], bad)),
        "repaired": scoring.repair(scoring.finalise(deed(d["alice"], bad, at=last_month))),
        "voided": scoring.void_final(scoring.finalise(deed(d["bob"], good))),
        "repaired_voided": scoring.finalise(deed(d["carol"], bad, at=last_month)),
        "pending": deed(d["alice"], good),
    }
    scoring.repair(records["repaired_voided"])
    db.session.commit()
    return {**d, "deed": deed, "good": good, "bad": bad, "records": records}


def _expected_records(district_id):
    """What the records report means, straight from the records' statuses."""
    rows = db.session.execute(
        select(CreditRecord.occurred_at, CreditRecord.category, CreditRecord.points)
        .where(CreditRecord.district_id == district_id, CreditRecord.status.in_(("final", "repaired")))).all()
    table = Counter()
    for occurred_at, category, points in rows:
        month = f"{occurred_at + timedelta(hours=8):%Y-%m}"
        key = (month, category)
        table[key + ("good" if points > 0 else "bad",)] += 1
        table[key + ("good_points" if points > 0 else "bad_points",)] += points
    return sorted({(m, c, table[(m, c, "good")], table[(m, c, "bad")], table[(m, c, "good_points")],
                    table[(m, c, "bad_points")]) for m, c, _k in table})


def _records(client, auth, d):
    body = client.get(f"/api/v1/reports/records?from={d['last_month']}", headers=auth(d["admin"])).get_json()
    return sorted((r["month"], r["category"], r["good"], r["bad"], r["good_points"], r["bad_points"])
                  for r in body["rows"])


def test_records_report_matches_the_records_statuses_before_and_after_each_refresh(client, auth, deeds):
    d = deeds
    district_id = d["village"].district_id
    expected = _expected_records(district_id)
    assert expected and _records(client, auth, d) == expected  # never refreshed: all live
    _refresh(district_id)
    assert _rollup_rows(RecordsRollup) and _records(client, auth, d) == expected
    # after the watermark: one more final deed, one voided, and the repaired one voided by an upheld objection
    scoring.finalise(d["deed"](d["bob"], d["bad"]))
    scoring.void_final(d["records"]["final"])
    scoring.void_final(d["records"]["repaired_voided"])
    db.session.commit()
    stale = _records(client, auth, d)
    assert stale == _expected_records(district_id) != expected
    _refresh(district_id)
    assert _records(client, auth, d) == stale


# --- the job: once at a time, and from the command --------------------------------------------

@postgres_only
def test_a_second_refresh_while_one_runs_skips_instead_of_counting_twice(app, district_with_points):
    d = district_with_points
    district_id = d["village"].district_id
    holding, release, results = threading.Event(), threading.Event(), {}

    def first():
        with app.app_context():
            results["first"] = rollups.refresh(district_id)
            holding.set()
            release.wait(10)
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(10)
    try:
        with app.app_context():
            results["second"] = rollups.refresh(district_id)
            db.session.rollback()
            db.session.remove()
    finally:
        release.set()
        thread.join(10)
    assert results["first"]["transfers"] > 0 and results["second"] is None
    assert _refresh(district_id)["transfers"] == 0
    assert [tuple(r)[-1] for r in _rollup_rows(PointsRollup)]  # counted once: the report still reconciles
    amounts = db.session.execute(select(func.sum(PointsRollup.amount)).where(PointsRollup.direction == "in")).scalar()
    assert amounts == db.session.execute(
        select(func.sum(Transfer.amount)).where(Transfer.to_account_id.in_(
            select(Account.id).where(Account.kind == "resident")))).scalar()


def test_flask_jobs_run_refreshes_the_roll_ups(app, district_with_points):
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "reports.rollup_transfers: 8" in result.output
    assert db.session.get(RollupState, district_with_points["village"].district_id).refreshed_at is not None


def test_flask_jobs_run_only_reports_leaves_the_other_jobs_alone(app, district_with_points):
    result = app.test_cli_runner().invoke(args=["jobs", "run", "--only", "reports"])
    assert result.exit_code == 0, result.output
    assert "reports.rollup_transfers: 8" in result.output and "credit." not in result.output


def test_a_move_committed_after_the_job_read_its_watermark_is_carried_along_once(client, auth, district_with_points,
                                                                              monkeypatch):
    d = district_with_points
    district_id = d["village"].district_id
    d["carol"].community_id = d["village"].id  # 50 points move to the village
    db.session.commit()
    settled = rollups._settled_tops
    # as if the move committed between the job's reading of its watermark and its counting
    monkeypatch.setattr(rollups, "_settled_tops", lambda: {**settled(), "move": 0})
    _refresh(district_id)
    by_village = dict(db.session.execute(
        select(PointsRollup.community_id, func.sum(PointsRollup.amount)).where(PointsRollup.direction == "in")
        .group_by(PointsRollup.community_id)).all())
    assert by_village[d["other"].id] == 50  # counted where carol lived as of the watermark
    expected = [60, 0]
    assert [_points(client, auth, d, community_id=c.id)["outstanding"] for c in (d["village"], d["other"])] == expected
    monkeypatch.setattr(rollups, "_settled_tops", settled)
    assert _refresh(district_id)["moves"] == 1
    assert [_points(client, auth, d, community_id=c.id)["outstanding"] for c in (d["village"], d["other"])] == expected


# --- villages and households: residents' summaries plus the residents touched since -------------

def _standing(admin, **months):
    principal = principal_of(admin)
    return reports.villages_report(principal, months), reports.households_report(principal, {})


def _live_standing(admin, **months):
    """The same reports with no summaries at all (every resident computed from the base tables)."""
    db.session.execute(delete(RollupState))
    try:
        return _standing(admin, **months)
    finally:
        db.session.rollback()


def test_villages_and_households_are_the_same_from_summaries_fresh_or_stale(deeds, make_household, make_resident):
    d = deeds
    district_id = d["village"].district_id
    household = make_household(d["village"], name="王家")
    d["alice"].household_id = d["bob"].household_id = household.id
    db.session.commit()
    since = {"from": d["last_month"]}
    before = _standing(d["admin"], **since)
    assert before[0]["villages"][0]["participants"] + before[0]["villages"][1]["participants"] >= 1
    assert before[1]["households"] and before[1]["households"][0]["members"] == 2
    assert _refresh(district_id)["residents"] >= 3
    assert db.session.execute(select(func.count()).select_from(ResidentSummary)).scalar() >= 3
    assert _standing(d["admin"], **since) == before
    # after the watermark: a good deed, a move, a resident who moved out of the district, a newcomer
    scoring.finalise(d["deed"](d["carol"], d["good"]))
    d["bob"].community_id, d["bob"].household_id = d["other"].id, None
    d["alice"].status = "moved_out"
    make_resident(d["village"], name="新来的")
    db.session.commit()
    stale = _standing(d["admin"], **since)
    assert stale == _live_standing(d["admin"], **since) != before
    assert stale[1]["households"] == []  # alice moved out, bob left the household
    _refresh(district_id)
    assert _standing(d["admin"], **since) == stale
    # months outside the summaries' window are computed live, and agree
    old_months = {"from": "2021-01", "to": "2021-12"}
    assert _standing(d["admin"], **old_months)[0] == _live_standing(d["admin"], **old_months)[0]


AGGREGATES = (VillageScore, VillageParticipation, HouseholdSummary)


def _aggregates():
    return {model.__tablename__: _rollup_rows(model) for model in AGGREGATES}


def _assert_aggregates_match_a_recount(district_id):
    """What the job keeps by recounting only the touched villages and households equals a recount of all."""
    kept = _aggregates()
    state = db.session.get(RollupState, district_id)
    rollups._recount(district_id, state.months_base, district_policy(district_id))
    assert _aggregates() == kept
    db.session.rollback()


@pytest.fixture
def standing(deeds, make_household):
    d = deeds
    household = make_household(d["village"], name="王家")
    other_household = make_household(d["other"], name="李家")
    d["alice"].household_id = d["bob"].household_id = household.id
    d["carol"].household_id = other_household.id
    db.session.commit()
    return {**d, "household": household, "other_household": other_household, "since": {"from": d["last_month"]}}


def test_fresh_villages_and_households_reports_read_the_aggregates_not_each_residents_summary(standing):
    d = standing
    district_id = d["village"].district_id
    _refresh(district_id)
    assert all(_aggregates().values())
    fresh = _standing(d["admin"], **d["since"])
    assert fresh == _live_standing(d["admin"], **d["since"])
    # with every resident's summary gone, a fresh report still answers the same: it read the aggregates
    db.session.execute(delete(ResidentSummary))
    assert _standing(d["admin"], **d["since"]) == fresh
    db.session.rollback()


def test_a_move_between_villages_past_the_watermark_is_corrected_live_and_then_kept(standing):
    d = standing
    district_id = d["village"].district_id
    _refresh(district_id)
    before = _standing(d["admin"], **d["since"])
    carol = d["carol"]
    carol.community_id, carol.household_id = d["village"].id, d["household"].id
    db.session.commit()
    moved = _standing(d["admin"], **d["since"])
    assert moved == _live_standing(d["admin"], **d["since"]) != before
    by_code = {v["community_id"]: v["residents"] for v in moved[0]["villages"]}
    assert by_code[d["village"].id] == 3 and by_code[d["other"].id] == 0
    assert [h["members"] for h in moved[1]["households"]] == [3]
    _refresh(district_id)
    _assert_aggregates_match_a_recount(district_id)
    assert _standing(d["admin"], **d["since"]) == moved
    # and back again
    carol.community_id, carol.household_id = d["other"].id, d["other_household"].id
    db.session.commit()
    assert _standing(d["admin"], **d["since"]) == _live_standing(d["admin"], **d["since"]) == before
    _refresh(district_id)
    _assert_aggregates_match_a_recount(district_id)
    assert _standing(d["admin"], **d["since"]) == before


def test_a_score_changed_past_the_watermark_changes_stars_average_and_ranking_at_once(standing):
    d = standing
    district_id = d["village"].district_id
    _refresh(district_id)
    before = _standing(d["admin"], **d["since"])
    for _ in range(3):
        scoring.finalise(d["deed"](d["alice"], d["bad"]))
    db.session.commit()
    changed = _standing(d["admin"], **d["since"])
    assert changed == _live_standing(d["admin"], **d["since"])
    village = {v["community_id"]: v for v in changed[0]["villages"]}[d["village"].id]
    was = {v["community_id"]: v for v in before[0]["villages"]}[d["village"].id]
    assert village["average_score"] < was["average_score"]
    household = {h["household_id"]: h for h in changed[1]["households"]}[d["household"].id]
    assert household["lowest_score"] < {h["household_id"]: h for h in before[1]["households"]}[
        d["household"].id]["lowest_score"]
    _refresh(district_id)
    _assert_aggregates_match_a_recount(district_id)
    assert _standing(d["admin"], **d["since"]) == changed


def test_participation_up_to_a_month_before_someones_last_good_deed_reads_the_summaries(standing):
    d = standing
    district_id = d["village"].district_id
    scoring.finalise(d["deed"](d["carol"], d["good"]))  # this month; the months asked end last month
    db.session.commit()
    _refresh(district_id)
    last_month_only = {"from": d["last_month"], "to": d["last_month"]}
    answer = _standing(d["admin"], **last_month_only)
    assert answer == _live_standing(d["admin"], **last_month_only)
    carol = {v["community_id"]: v for v in answer[0]["villages"]}[d["other"].id]
    assert carol["participants"] == 0  # her good deed is this month's, not last month's
    this_month = _standing(d["admin"], **d["since"])
    assert {v["community_id"]: v for v in this_month[0]["villages"]}[d["other"].id]["participants"] == 1


def test_new_star_thresholds_count_stars_afresh_before_and_after_the_next_refresh(client, auth, standing):
    d = standing
    district_id = d["village"].district_id
    _refresh(district_id)
    before = _standing(d["admin"], **d["since"])
    changed = client.put("/api/v1/policy", json={"star_thresholds": [60, 90, 95, 130, 160]}, headers=auth(d["admin"]))
    assert changed.status_code == 200, changed.get_json()
    after = _standing(d["admin"], **d["since"])
    assert after == _live_standing(d["admin"], **d["since"])
    assert [v["stars"] for v in after[0]["villages"]] != [v["stars"] for v in before[0]["villages"]]
    _refresh(district_id)
    assert db.session.get(RollupState, district_id).policy_key == "100:60,90,95,130,160"
    _assert_aggregates_match_a_recount(district_id)
    assert _standing(d["admin"], **d["since"]) == after


def test_the_best_households_cut_at_the_limit_keep_ties_in_code_order_before_and_after_the_refresh(
        standing, make_household, make_resident):
    d = standing
    district_id = d["village"].district_id
    # four households of one member each, all on the base score
    members = {code: make_resident(d["village"], household=make_household(d["village"], code=code))
               for code in ("H-D", "H-B", "H-C", "H-A")}
    principal = principal_of(d["admin"])

    def best(limit):
        return reports.households_report(principal, {"limit": limit})["households"]
    live = best(100)
    tied = [h["household_code"] for h in live if h["household_code"].startswith("H-")]
    assert tied == ["H-A", "H-B", "H-C", "H-D"]
    _refresh(district_id)
    for limit in (1, 3, 5, 100):
        assert best(limit) == live[:limit]
    # a score past the watermark takes a tied household to the top, the others keep their order
    scoring.finalise(d["deed"](members["H-D"], d["good"]))
    db.session.commit()
    moved = best(3)
    assert moved[0]["household_code"] == "H-D"
    db.session.execute(delete(RollupState))
    assert moved == best(3)
    db.session.rollback()


def test_resident_changes_are_logged_whoever_changes_the_resident(district_with_points):
    d = district_with_points
    bob = d["bob"]
    bob.status = "deceased"
    bob.community_id = d["other"].id
    db.session.commit()
    assert db.session.execute(select(ResidentChange.what, ResidentChange.from_community_id,
                                     ResidentChange.to_community_id).order_by(ResidentChange.id)).all() == [
        ("status", d["village"].id, d["village"].id), ("community", d["village"].id, d["other"].id)]
