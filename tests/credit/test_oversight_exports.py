"""The reviewer's lists as XLSX downloads (objections, repairs, red and black lists), and the bad input of
deciding objections: every row of the filtered list, headed in the reader's language, formulas kept as text."""
import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from backend.audit.models import AuditLog
from backend.common.time import utcnow
from backend.credit import service
from backend.credit.models import CreditRecord, Objection, RepairRequest
from backend.credit.scoring import finalise
from backend.extensions import db
from tests.credit.conftest import principal_of
from tests.fixtures import assert_chinese, assert_english, assert_problem

FORMULA = '=HYPERLINK("http://evil.example","点我")'


def workbook(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]


def rows_of(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def disputes(client, auth, village, make_item, log_record):
    """Two objections in the village (one open with a formula-looking reason, one dismissed) and one pending
    repair request of alice's final minor deduction."""
    client.put("/api/v1/policy", json={"notice_days": 7, "repair_wait_days": 0, "repair_volunteer_hours": 0},
               headers=auth(village.admin))
    good = make_item("neighbour_help", 10)
    records = []
    for resident in (village.alice, village.bob):
        record = log_record(village.worker, resident, good).get_json()
        client.post(f"/api/v1/records/{record['id']}/approve", json={}, headers=auth(village.reviewer2))
        records.append(record["id"])
    open_ = client.post("/api/v1/objections", json={"record_id": records[0], "reason": FORMULA},
                        headers=auth(village.carol)).get_json()
    decided = client.post("/api/v1/objections", json={"record_id": records[1], "reason": "不属实"},
                          headers=auth(village.carol)).get_json()
    client.post(f"/api/v1/objections/{decided['id']}/dismiss", json={"reason": "经核实属实"},
                headers=auth(village.reviewer2))
    parking = make_item("illegal_parking", -4, severity="minor", category="civility")
    minor = service.create_record(principal_of(village.worker), village.alice.id, parking.id,
                                  utcnow() - timedelta(days=2))
    finalise(minor)
    db.session.commit()
    repair = client.post("/api/v1/repairs", json={"record_id": minor.id, "commitment": "=1+1 今后规范停车",
                                                  "volunteer_hours": 3}, headers=auth(village.alice)).get_json()
    return {"open": open_["id"], "decided": decided["id"], "repair": repair["id"]}


def test_objections_export_holds_every_filtered_row_with_local_due_dates(client, auth, village, disputes):
    sheet = workbook(client.get("/api/v1/objections/export.xlsx", headers=auth(village.reviewer2)))
    header, *rows = rows_of(sheet)
    assert header[:6] == ["No.", "Record", "Resident", "Item", "Points", "Objector"]
    assert [row[0] for row in rows] == sorted([disputes["open"], disputes["decided"]])
    first = next(row for row in rows if row[0] == disputes["open"])
    objection = db.session.get(Objection, disputes["open"])
    assert first[header.index("Due")] == (objection.due_at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert first[header.index("Status")] == "open" and first[header.index("Objector")] == "李桂兰"
    only_open = workbook(client.get("/api/v1/objections/export.xlsx?status=open", headers=auth(village.reviewer2)))
    assert [row[0] for row in rows_of(only_open)[1:]] == [disputes["open"]]


def test_a_formula_looking_reason_stays_text_in_the_objections_export(client, auth, village, disputes):
    sheet = workbook(client.get("/api/v1/objections/export.xlsx?status=open", headers=auth(village.reviewer2)))
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Reason") + 1)
    assert cell.value == FORMULA and cell.data_type == "s"


def test_exports_are_headed_in_the_readers_language(zh_client, auth, village, disputes):
    sheet = workbook(zh_client.get("/api/v1/repairs/export.xlsx", headers=auth(village.reviewer2)))
    header = [cell.value for cell in sheet[1]]
    assert sheet.title == "信用修复" and header[:3] == ["编号", "记录编号", "申请人"]
    assert sheet.cell(row=2, column=header.index("状态") + 1).value == "待审核"


def test_repairs_export_shows_the_commitment_and_reported_and_verified_hours(client, auth, village, disputes):
    sheet = workbook(client.get("/api/v1/repairs/export.xlsx?status=pending", headers=auth(village.reviewer2)))
    header, row = rows_of(sheet)
    line = dict(zip(header, row))
    assert line["No."] == disputes["repair"] and line["Resident"] == "王秀英"
    assert line["Commitment"] == "=1+1 今后规范停车" and sheet.cell(row=2, column=header.index("Commitment") + 1).data_type == "s"
    assert line["Reported volunteer hours"] == 3 and line["Verified volunteer hours"] == 0
    none = workbook(client.get("/api/v1/repairs/export.xlsx?status=approved", headers=auth(village.reviewer2)))
    assert rows_of(none)[1:] == []


def test_objection_and_repair_lists_name_the_residents(client, auth, village, disputes):
    objections = client.get("/api/v1/objections?status=open", headers=auth(village.reviewer2)).get_json()
    assert [(o["resident_name"], o["objector_name"]) for o in objections["items"]] == [("王秀英", "李桂兰")]
    repairs = client.get("/api/v1/repairs", headers=auth(village.reviewer2)).get_json()
    assert [r["resident_name"] for r in repairs["items"]] == ["王秀英"]


def test_exports_of_objections_and_repairs_stay_in_the_reviewers_communities(client, auth, village, disputes):
    theirs = workbook(client.get("/api/v1/objections/export.xlsx", headers=auth(village.outsider_worker)))
    assert rows_of(theirs)[1:] == []
    theirs = workbook(client.get("/api/v1/repairs/export.xlsx", headers=auth(village.outsider_worker)))
    assert rows_of(theirs)[1:] == []
    assert_problem(client.get("/api/v1/objections/export.xlsx", headers=auth(village.worker)), 403, "role_required")


def _counts():
    db.session.expire_all()
    return {model.__tablename__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (CreditRecord, Objection, RepairRequest, AuditLog)} | {
        "statuses": sorted(db.session.execute(select(Objection.id, Objection.status)).all())}


@pytest.mark.parametrize("reason", ["", "   "])
def test_dismissing_an_objection_without_a_reason_is_refused_in_both_languages(
        client, zh_client, auth, village, disputes, reason):
    before = _counts()
    url = f"/api/v1/objections/{disputes['open']}/dismiss"
    english = assert_problem(client.post(url, json={"reason": reason}, headers=auth(village.reviewer2)), 422,
                             "validation_failed")
    chinese = assert_problem(zh_client.post(url, json={"reason": reason}, headers=auth(village.reviewer2)), 422,
                             "validation_failed")
    assert english["errors"]["reason"] and chinese["errors"]["reason"]
    assert_english(*english["errors"]["reason"])
    assert_chinese(*chinese["errors"]["reason"])
    assert _counts() == before


def test_upholding_an_objection_twice_changes_nothing_the_second_time(client, auth, village, disputes):
    url = f"/api/v1/objections/{disputes['open']}/uphold"
    first = client.post(url, json={"reason": "记录有误"}, headers=auth(village.reviewer2))
    assert first.status_code == 200 and first.get_json()["status"] == "upheld"
    before = _counts()
    again = client.post(url, json={"reason": "再次处理"}, headers=auth(village.reviewer2))
    assert_problem(again, 409, "objection_decided")
    assert _counts() == before


def test_an_objection_outside_the_reviewers_communities_is_not_found(client, auth, village, disputes):
    before = _counts()
    response = client.post(f"/api/v1/objections/{disputes['open']}/uphold", json={"reason": "越权处理"},
                           headers=auth(village.outsider_worker))
    assert_problem(response, 404, "objection_not_found")
    assert _counts() == before


@pytest.fixture
def scored(village, make_item):
    """alice and bob (one household) reach five stars; carol has a serious record; stranger (another village)
    a serious one too and a formula-looking name."""
    big = make_item("brave_deed", 60, category="public_safety")
    serious = make_item("court_defaulter", -50, severity="serious", category="honesty")
    village.stranger.name = "=SUM(1,2)"
    for actor, resident, item in ((village.worker, village.alice, big), (village.worker, village.bob, big),
                                  (village.worker, village.carol, serious),
                                  (village.outsider_worker, village.stranger, serious)):
        finalise(service.create_record(principal_of(actor), resident.id, item.id, utcnow()))
    db.session.commit()
    return village


def test_red_list_export_follows_the_village_filter_and_kind(client, auth, scored):
    sheet = workbook(client.get(f"/api/v1/red-list/export.xlsx?community_id={scored.community.id}",
                                headers=auth(scored.admin)))
    header, *rows = rows_of(sheet)
    assert header == ["Resident", "Name", "Village", "Score", "Stars", "Serious records"]
    assert sorted((row[1], row[2], row[3], row[4]) for row in rows) == [
        ("王建国", "Xilou Village", 160, 5), ("王秀英", "Xilou Village", 160, 5)]
    households = workbook(client.get("/api/v1/red-list/export.xlsx?kind=household", headers=auth(scored.admin)))
    assert rows_of(households)[1:] == [[scored.household.id, "王家", "Xilou Village", 2, 160, 5]]
    empty = workbook(client.get(f"/api/v1/red-list/export.xlsx?community_id={scored.other.id}",
                                headers=auth(scored.admin)))
    assert rows_of(empty)[1:] == []


def test_black_list_export_keeps_a_formula_looking_name_as_text(client, auth, scored):
    sheet = workbook(client.get("/api/v1/black-list/export.xlsx", headers=auth(scored.admin)))
    names = [row[1] for row in rows_of(sheet)[1:]]
    assert sorted(names) == sorted(["李桂兰", "=SUM(1,2)"])
    cell = next(row[1] for row in sheet.iter_rows(min_row=2) if row[1].value == "=SUM(1,2)")
    assert cell.data_type == "s"
    village_only = workbook(client.get(f"/api/v1/black-list/export.xlsx?community_id={scored.other.id}",
                                       headers=auth(scored.admin)))
    assert [row[1] for row in rows_of(village_only)[1:]] == ["=SUM(1,2)"]


def test_list_export_of_a_village_out_of_scope_is_not_found(client, auth, scored):
    assert_problem(client.get(f"/api/v1/black-list/export.xlsx?community_id={scored.community.id}",
                              headers=auth(scored.outsider_worker)), 404)
    assert_problem(client.get("/api/v1/red-list/export.xlsx?kind=family", headers=auth(scored.admin)), 422)
