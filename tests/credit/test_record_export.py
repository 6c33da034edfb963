"""The records list (the review queue) as an XLSX download: the list's filters, every page, only the
viewer's villages, headed in the reader's language, a formula-looking note kept as text."""
from tests.fixtures import assert_problem
from tests.xlsx_helpers import sheet_rows

FORMULA = '=HYPERLINK("http://evil.example","点我")'


def test_record_export_holds_every_pending_record_of_my_village_and_keeps_formulas_as_text(
        client, auth, village, make_item, log_record):
    item = make_item("neighbour_help", 5, title_zh="邻里互助", title_en="Helping neighbours")
    ids = [log_record(village.worker, resident, item, note=FORMULA).get_json()["id"]
           for resident in (village.alice, village.bob, village.carol)]
    log_record(village.outsider_worker, village.stranger, item)  # another village: not the worker's to see
    headers = {**auth(village.worker), "Accept-Language": "zh-CN"}
    header, rows = sheet_rows(client.get("/api/v1/records/export.xlsx?status=pending", headers=headers))
    assert header[:3] == ["编号", "居民", "项目"]
    assert [row["编号"] for row in rows] == sorted(ids, reverse=True)  # as the list: newest first, no paging
    assert {row["居民"] for row in rows} == {"王秀英", "王建国", "李桂兰"}
    assert {row["项目"] for row in rows} == {"邻里互助"} and {row["状态"] for row in rows} == {"待审核"}
    assert {row["备注"] for row in rows} == {FORMULA}  # read back as the text it was, not as a formula


def test_record_export_reads_english_and_follows_the_resident_filter(client, auth, village, make_item, log_record):
    item = make_item("neighbour_help", 5, title_zh="邻里互助", title_en="Helping neighbours")
    for resident in (village.alice, village.bob):
        log_record(village.worker, resident, item)
    headers = {**auth(village.reviewer), "Accept-Language": "en"}
    header, rows = sheet_rows(client.get(f"/api/v1/records/export.xlsx?resident_id={village.alice.id}",
                                         headers=headers))
    assert header[:3] == ["No.", "Resident", "Item"]
    assert [(row["Resident"], row["Item"]) for row in rows] == [("王秀英", "Helping neighbours")]


def test_record_export_refuses_residents_bad_filters_and_other_villages_residents(client, auth, village):
    assert client.get("/api/v1/records/export.xlsx", headers=auth(village.alice)).status_code == 403
    assert_problem(client.get("/api/v1/records/export.xlsx?status=lost", headers=auth(village.worker)), 422)
    response = client.get(f"/api/v1/records/export.xlsx?resident_id={village.stranger.id}", headers=auth(village.worker))
    assert_problem(response, 404, "resident_not_found")
