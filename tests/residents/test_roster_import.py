"""Roster import from XLSX: preview names every problem, a commit writes all rows or none, and
importing the same file again changes nothing."""
import io
import time
import zipfile

import openpyxl
import pytest

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.org.models import Household
from backend.residents import idnumbers, roster
from backend.residents.models import Resident
from tests.fixtures import assert_problem

HEADER = [h for h, *_ in roster.COLUMNS]


def valid_id_number(n):
    """A distinct valid ID number for each n below ten million."""
    first17 = f"3710811950{n:07d}"
    return first17 + idnumbers.check_digit(first17)


def xlsx(rows, header=HEADER):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, headers, data, commit=False):
    return client.post(f"/api/v1/residents/imports?commit={'true' if commit else 'false'}", headers=headers,
                       data={"file": (io.BytesIO(data), "roster.xlsx")}, content_type="multipart/form-data")


@pytest.fixture
def village(community, make_staff, login):
    worker = make_staff(worker=[community])
    return {"community": community, "headers": login(worker)}


def people(community, n, start=1):
    return [[community.code, f"H{i // 3}", f"户{i // 3}", f"居民{i}", "女" if i % 2 else "男", 1950 + i % 40,
             f"139{i:08d}", valid_id_number(i)] for i in range(start, start + n)]


def test_preview_writes_nothing_and_commit_imports_residents_and_households(client, village):
    data = xlsx(people(village["community"], 5))
    preview = upload(client, village["headers"], data).get_json()
    assert (preview["rows"], preview["created"], preview["committed"], preview["problems"]) == (5, 5, False, [])
    assert db.session.query(Resident).count() == 0 and db.session.query(Household).count() == 0
    done = upload(client, village["headers"], data, commit=True).get_json()
    assert (done["created"], done["committed"]) == (5, True)
    imported = db.session.query(Resident).order_by(Resident.id).all()
    assert [r.name for r in imported] == [f"居民{i}" for i in range(1, 6)]
    assert imported[0].id_hash == idnumbers.id_hash(valid_id_number(1)) and imported[0].id_last4 == valid_id_number(1)[-4:]
    assert db.session.query(Household).count() == 2  # H0 (1, 2) and H1 (3, 4, 5)
    assert db.session.query(AuditLog).filter_by(action="residents.import").one().after["created"] == 5


def test_reimporting_the_same_file_changes_nothing_and_a_changed_row_is_updated(client, village):
    rows = people(village["community"], 4)
    upload(client, village["headers"], xlsx(rows), commit=True)
    again = upload(client, village["headers"], xlsx(rows), commit=True).get_json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)
    assert db.session.query(Resident).count() == 4
    rows[2][3] = "改名了"
    changed = upload(client, village["headers"], xlsx(rows), commit=True).get_json()
    assert (changed["updated"], changed["unchanged"]) == (1, 3)
    assert db.session.query(Resident).filter_by(name="改名了").count() == 1


def test_every_bad_row_is_named_and_a_commit_with_problems_imports_no_row(client, village):
    code = village["community"].code
    good = people(village["community"], 2)
    bad_id = valid_id_number(50)[:-1] + ("0" if valid_id_number(50)[-1] != "0" else "1")
    rows = good + [
        [code, None, None, "", "男", 1960, None, valid_id_number(51)],           # missing name
        [code, None, None, "王五", "男", 1960, None, bad_id],                    # bad check digit
        ["NOPE", None, None, "赵六", "女", 1960, None, valid_id_number(52)],     # unknown village
        [code, None, None, "钱七", "女", "1961年3月", good[0][6], valid_id_number(53)],  # phone of row 2
        [code, None, None, "孙八", "=1+1", 1960, None, valid_id_number(54)],     # a formula
    ]
    preview = upload(client, village["headers"], xlsx(rows)).get_json()
    found = {(p["row"], p["code"]) for p in preview["problems"]}
    assert found == {(4, "missing_value"), (5, "invalid_id_number"), (6, "unknown_community"),
                     (7, "duplicate_phone"), (8, "formula_in_cell")}
    assert all(p["message_zh"] and p["message_en"] for p in preview["problems"])
    body = assert_problem(upload(client, village["headers"], xlsx(rows), commit=True), 422, "roster_has_problems")
    assert len(body["errors"]["rows"]) == 5
    assert db.session.query(Resident).count() == 0 and db.session.query(Household).count() == 0


def test_a_village_outside_the_workers_communities_is_unknown_to_them(client, village, make_community):
    other = make_community()
    preview = upload(client, village["headers"], xlsx(people(other, 1))).get_json()
    assert [p["code"] for p in preview["problems"]] == ["unknown_community"]


@pytest.mark.parametrize("data, code", [
    (b"%PDF-1.4 not a spreadsheet", "not_xlsx"),
    (None, "xlsx_too_large"),
    (xlsx([["x"]], header=["姓名"]), "roster_columns_missing"),
    (xlsx([]), "roster_empty"),
])
def test_files_that_are_not_rosters_are_refused_whole(client, village, data, code):
    if data is None:  # a zip bomb: small on the wire, huge unpacked
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (roster.MAX_UNPACKED_BYTES + 1))
        data = out.getvalue()
        assert len(data) < 1_000_000
    body = assert_problem(upload(client, village["headers"], data), 422, code)
    assert "file" in body["errors"]


def test_too_many_rows_are_refused_with_a_clear_message(client, village, monkeypatch):
    monkeypatch.setattr(roster, "MAX_ROWS", 3)
    body = assert_problem(upload(client, village["headers"], xlsx(people(village["community"], 4))), 422,
                          "too_many_rows")
    assert "3" in body["detail"]


def test_template_downloads_with_instructions_and_imports_its_own_example(client, community, make_staff, login):
    community.code = "XL01"
    db.session.commit()
    headers = login(make_staff(district_admin=True))
    template = client.get("/api/v1/residents/import-template", headers=headers)
    book = openpyxl.load_workbook(io.BytesIO(template.data))
    assert [c.value for c in book.worksheets[0][1]] == HEADER
    assert book.worksheets[1]["A1"].value == "列" and "身份证号" in [c.value for c in book.worksheets[1]["A"]]
    assert upload(client, headers, template.data).get_json()["created"] == 1


def test_ten_thousand_rows_commit_in_one_request(client, village):
    data = xlsx(people(village["community"], 10_000))
    started = time.monotonic()
    done = upload(client, village["headers"], data, commit=True).get_json()
    assert (done["created"], done["committed"]) == (10_000, True)
    assert db.session.query(Resident).count() == 10_000
    print(f"10,000 rows committed in {time.monotonic() - started:.1f} s")
