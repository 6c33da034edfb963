"""The look-up log (查询登记) on the staff side: who opened which resident's archive, for the district admin
(whole district) and the village's reviewer (their communities), filtered and exported as XLSX."""
import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from backend.common.time import utcnow
from backend.extensions import db
from backend.residents.models import ResidentLookup
from tests.credit.conftest import auth, iso  # noqa: F401
from tests.fixtures import assert_chinese, assert_problem


@pytest.fixture
def looked(client, auth, make_community, make_staff, make_resident):  # noqa: F811
    here, there = make_community(name_zh="西楼村"), make_community(name_zh="东楼村")
    nosy = make_staff(worker=[here, there])
    nosy.display_name = "=cmd|' /C calc'!A0"
    reviewer = make_staff(reviewer=[here])
    admin = make_staff(district_admin=True)
    worker = make_staff(worker=[here])
    alice, zhao = make_resident(here, name="王秀英"), make_resident(there, name="赵志强")
    db.session.commit()
    client.get(f"/api/v1/residents/{alice.id}", headers=auth(nosy))
    client.get(f"/api/v1/residents/{zhao.id}", headers=auth(nosy))
    client.get(f"/api/v1/residents/{alice.id}/standing", headers=auth(worker))
    return {"here": here, "there": there, "nosy": nosy, "reviewer": reviewer, "admin": admin, "worker": worker,
            "alice": alice, "zhao": zhao}


def test_admin_sees_every_lookup_of_the_district_newest_first(client, auth, looked):  # noqa: F811
    page = client.get("/api/v1/residents/lookups", headers=auth(looked["admin"])).get_json()
    assert [(row["resident_name"], row["what"], row["actor"]) for row in page["items"]] == [
        ("王秀英", "standing", f"staff:{looked['worker'].id}"), ("赵志强", "profile", f"staff:{looked['nosy'].id}"),
        ("王秀英", "profile", f"staff:{looked['nosy'].id}")]


def test_reviewer_sees_lookups_of_their_communities_only(client, auth, looked):  # noqa: F811
    page = client.get("/api/v1/residents/lookups", headers=auth(looked["reviewer"])).get_json()
    assert {row["resident_name"] for row in page["items"]} == {"王秀英"} and page["total"] == 2
    assert client.get(f"/api/v1/residents/lookups?community_id={looked['there'].id}",
                      headers=auth(looked["reviewer"])).get_json()["items"] == []
    assert_problem(client.get("/api/v1/residents/lookups", headers=auth(looked["worker"])), 403, "role_required")


def test_lookup_log_filters_by_actor_what_community_and_dates(client, auth, looked):  # noqa: F811
    headers = auth(looked["admin"])
    by_nosy = client.get(f"/api/v1/residents/lookups?actor=staff:{looked['nosy'].id}&community_id={looked['there'].id}",
                         headers=headers).get_json()
    assert [row["resident_name"] for row in by_nosy["items"]] == ["赵志强"]
    standing = client.get("/api/v1/residents/lookups?what=standing", headers=headers).get_json()
    assert [row["actor"] for row in standing["items"]] == [f"staff:{looked['worker'].id}"]
    tomorrow = iso(utcnow() + timedelta(days=1))
    assert client.get(f"/api/v1/residents/lookups?since={tomorrow}", headers=headers).get_json()["total"] == 0
    assert client.get(f"/api/v1/residents/lookups?until={tomorrow}", headers=headers).get_json()["total"] == 3


def test_reversed_date_range_is_refused_and_reading_the_log_is_not_a_lookup(zh_client, auth, looked):  # noqa: F811
    before = db.session.execute(select(func.count()).select_from(ResidentLookup)).scalar_one()
    query = f"since={iso(utcnow())}&until={iso(utcnow() - timedelta(hours=1))}"
    body = assert_problem(zh_client.get(f"/api/v1/residents/lookups/export.xlsx?{query}",
                                        headers=auth(looked["admin"])), 422, "date_range_reversed")
    assert_chinese(body["detail"])
    zh_client.get("/api/v1/residents/lookups", headers=auth(looked["admin"]))
    assert db.session.execute(select(func.count()).select_from(ResidentLookup)).scalar_one() == before


def test_lookup_export_lists_the_filtered_lookups_with_names_as_text(zh_client, auth, looked):  # noqa: F811
    response = zh_client.get(f"/api/v1/residents/lookups/export.xlsx?actor=staff:{looked['nosy'].id}",
                             headers=auth(looked["admin"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert sheet.title == "查询登记" and header[:3] == ["编号", "时间", "查询人"]
    rows = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [(row["居民"], row["查询内容"]) for row in rows] == [("赵志强", "profile"), ("王秀英", "profile")]
    who = sheet.cell(row=2, column=header.index("查询人") + 1)
    assert who.value == "=cmd|' /C calc'!A0" and who.data_type == "s"
