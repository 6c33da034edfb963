"""The audit log for the district admin: filters by actor, action, date range and community, and its XLSX."""
import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from backend.audit.models import AuditLog
from backend.common.time import utcnow
from backend.extensions import db
from tests.credit.conftest import iso
from tests.fixtures import assert_chinese, assert_english, assert_problem


@pytest.fixture
def trail(client, auth, village, make_item, log_record):
    """Records logged and reviewed in both villages, so the log has entries of two communities."""
    item = make_item("neighbour_help", 5)
    here = log_record(village.worker, village.alice, item).get_json()
    client.post(f"/api/v1/records/{here['id']}/reject", json={"reason": '=HYPERLINK("x")'},
                headers=auth(village.reviewer2))
    there = log_record(village.outsider_worker, village.stranger, item).get_json()
    return {"here": here["id"], "there": there["id"]}


def test_audit_log_filters_by_community_of_the_entries_target(client, auth, village, trail):
    page = client.get(f"/api/v1/audit?community_id={village.community.id}", headers=auth(village.admin)).get_json()
    assert {(e["target_type"], e["target_id"]) for e in page["items"]} >= {("credit_record", str(trail["here"]))}
    assert ("credit_record", str(trail["there"])) not in {(e["target_type"], e["target_id"]) for e in page["items"]}
    other = client.get(f"/api/v1/audit?community_id={village.other.id}", headers=auth(village.admin)).get_json()
    assert {e["target_id"] for e in other["items"] if e["target_type"] == "credit_record"} == {str(trail["there"])}


def test_audit_log_filters_by_actor_action_and_date_range(client, auth, village, trail):
    actor = f"staff:{village.reviewer2.id}"
    page = client.get(f"/api/v1/audit?actor={actor}&action=credit_record.reject", headers=auth(village.admin)).get_json()
    assert [(e["actor"], e["target_id"], e["reason"]) for e in page["items"]] == [
        (actor, str(trail["here"]), '=HYPERLINK("x")')]
    later = iso(utcnow() + timedelta(minutes=5))
    assert client.get(f"/api/v1/audit?since={later}", headers=auth(village.admin)).get_json()["items"] == []


def test_a_date_range_ending_before_it_starts_is_refused_in_both_languages(client, zh_client, auth, village, trail):
    before = db.session.execute(select(func.count()).select_from(AuditLog)).scalar_one()
    query = f"since={iso(utcnow())}&until={iso(utcnow() - timedelta(days=1))}"
    for path in ("/api/v1/audit", "/api/v1/audit/export.xlsx"):
        english = assert_problem(client.get(f"{path}?{query}", headers=auth(village.admin)), 422, "date_range_reversed")
        chinese = assert_problem(zh_client.get(f"{path}?{query}", headers=auth(village.admin)), 422,
                                 "date_range_reversed")
        assert_english(english["detail"])
        assert_chinese(chinese["detail"])
        assert english["errors"]["until"]
    now = iso(utcnow())
    empty = client.get(f"/api/v1/audit?since={now}&until={now}", headers=auth(village.admin))
    assert_problem(empty, 422, "date_range_reversed")  # a range that ends where it starts holds nothing: a mistake
    assert db.session.execute(select(func.count()).select_from(AuditLog)).scalar_one() == before


def test_audit_export_has_the_filtered_entries_with_formulas_as_text(client, auth, village, trail):
    response = client.get(f"/api/v1/audit/export.xlsx?action=credit_record.reject&community_id={village.community.id}",
                          headers=auth(village.admin))
    assert response.status_code == 200, response.get_data(as_text=True)
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert sheet.title == "Audit log" and header[:4] == ["No.", "Time", "Actor", "Action"]
    assert sheet.max_row == 2
    reason = sheet.cell(row=2, column=header.index("Reason") + 1)
    assert reason.value == '=HYPERLINK("x")' and reason.data_type == "s"
    entry = db.session.execute(select(AuditLog).where(AuditLog.action == "credit_record.reject")).scalar_one()
    assert sheet.cell(row=2, column=2).value == (entry.created_at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")


def test_only_the_district_admin_reads_the_audit_log(client, auth, village, trail):
    assert_problem(client.get("/api/v1/audit/export.xlsx", headers=auth(village.reviewer2)), 403, "role_required")
