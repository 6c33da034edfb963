"""GET /residents/export.xlsx: the search's residents, every one, headed in the reader's language,
ID numbers masked as the list masks them, text that looks like a formula kept as text; and
streamed, so its memory does not grow with the number of residents."""
import io
import tracemalloc

import openpyxl
from sqlalchemy import insert, select

from backend.extensions import db
from backend.residents.models import Resident
from tests.fixtures import assert_problem, valid_id_number


def sheet_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    return [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()], book


def test_export_has_every_matching_resident_with_masked_id_and_chinese_headers(
        zh_client, make_staff, make_community, make_household, make_resident, login):
    village, other = make_community(name_zh="西楼村"), make_community()
    household = make_household(village, code="H7", name="王家")
    for n in range(25):  # more than one page of the list
        make_resident(village, name=f"王{n:02d}", household=household if n == 0 else None,
                      id_number=valid_id_number(n) if n == 0 else None)
    make_resident(other, name="外村人")
    headers = login(make_staff(worker=[village]))
    rows, book = sheet_of(zh_client.get("/api/v1/residents/export.xlsx", headers=headers))
    assert book.worksheets[0].title == "居民"
    assert rows[0] == ["编号", "姓名", "性别", "出生年份", "手机号", "镇街", "村社区", "户编码", "信用户",
                       "身份证号（隐去）", "状态", "登记时间"]
    body = rows[1:]
    assert len(body) == 25 and "外村人" not in [r[1] for r in body]
    first = body[0]
    assert first[1] == "王00" and first[2] == "男" and first[6] == "西楼村" and first[7:9] == ["H7", "王家"]
    assert first[9] == "*" * 14 + valid_id_number(0)[-4:] and first[10] == "在册"
    id_column = [r[9] for r in body]
    assert not any(value and value[:14] != "*" * 14 for value in id_column), "no ID number shown whole"


def test_export_takes_the_list_filters_and_english_headers(client, make_staff, make_community, make_resident, login):
    village = make_community()
    make_resident(village, name="Li Ming", phone="13900000001")
    make_resident(village, name="Wang Fang", phone="13900000002")
    headers = login(make_staff(district_admin=True))
    rows, book = sheet_of(client.get("/api/v1/residents/export.xlsx?q=Li&community_id=%d" % village.id,
                                     headers=headers))
    assert book.worksheets[0].title == "Residents"
    assert rows[0][:3] == ["No.", "Name", "Gender"]
    assert [r[1] for r in rows[1:]] == ["Li Ming"] and rows[1][2] == "male" and rows[1][10] == "active"


def test_export_keeps_formula_looking_names_as_text(client, make_staff, community, make_resident, login):
    make_resident(community, name='=HYPERLINK("http://x","y")')
    response = client.get("/api/v1/residents/export.xlsx", headers=login(make_staff(worker=[community])))
    rows, book = sheet_of(response)
    cell = book.worksheets[0].cell(row=2, column=2)
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"
    assert b"<f>" not in _sheet_xml(response.data)


def _sheet_xml(data):
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_export_of_a_village_out_of_scope_is_empty_and_residents_need_staff(
        client, make_staff, make_community, make_resident, login):
    mine, other = make_community(), make_community()
    make_resident(other, name="外村人")
    rows, _book = sheet_of(client.get(f"/api/v1/residents/export.xlsx?community_id={other.id}",
                                      headers=login(make_staff(worker=[mine]))))
    assert rows[1:] == []
    resident = make_resident(mine)
    assert_problem(client.get("/api/v1/residents/export.xlsx", headers=login(resident)), 403)
    assert_problem(client.get("/api/v1/residents/export.xlsx?community_id=x",
                              headers=login(make_staff(worker=[mine]))), 422)


#: residents bulk-inserted for the memory test
MANY = 5000


def test_export_memory_stays_flat_while_residents_stream(client, app, make_staff, community, login):
    """The export holds at most one ``yield_per`` batch of rows, never the whole selection.

    The bound is measured against the same data held whole: loading the 5,000 residents as the ORM
    objects a naive export would hold, measured here with tracemalloc, takes several MB; the streamed
    export (1,000-row batches of plain tuples into XlsxWriter's constant-memory writer, which keeps one
    row) must peak at under a third of that. At 800,000 residents the naive way would need ~160 times
    more, while the streamed peak stays the same (it does not depend on the number of rows).
    """
    db.session.execute(insert(Resident), [
        {"district_id": community.district_id, "community_id": community.id, "name": f"居民{n:05d}",
         "gender": "female" if n % 2 else "male", "birth_year": 1950 + n % 50, "phone": f"137{n:08d}",
         "id_last4": f"{n % 10000:04d}", "status": "active", "pin_failed_count": 0}
        for n in range(MANY)
    ])
    db.session.commit()
    headers = login(make_staff(worker=[community]))
    community_id = community.id

    db.session.expunge_all()
    tracemalloc.start()
    try:
        held = db.session.execute(select(Resident).where(Resident.community_id == community_id)).scalars().all()
        _size, whole = tracemalloc.get_traced_memory()
        assert len(held) == MANY
        del held
        db.session.expunge_all()
        db.session.rollback()
        tracemalloc.reset_peak()
        base, _peak = tracemalloc.get_traced_memory()
        response = client.get("/api/v1/residents/export.xlsx", headers=headers)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    streamed = peak - base
    assert response.status_code == 200
    print(f"export peak {streamed} bytes; {MANY} residents held whole {whole} bytes")
    assert streamed < whole / 3, f"export peaked at {streamed} bytes; holding every row took {whole}"
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    assert sum(1 for _row in book.worksheets[0].iter_rows()) == MANY + 1
