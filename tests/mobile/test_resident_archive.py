"""The resident's home shows the village's notices; "my archive" hands over my data as a workbook and
issues my own credit report as a PDF, both fetched with the bearer token as blobs."""
from backend.extensions import db
from backend.reports.models import CreditReport
from tests.mobile.conftest import assert_readable, sign_in

#: keeps what the page turns into a download, so the test can read the file's first bytes
CATCH_BLOBS = """() => { const make = URL.createObjectURL; window.__blobs = [];
    URL.createObjectURL = (blob) => { window.__blobs.push(blob); return make.call(URL, blob); }; }"""
LAST_BLOB = """async () => { const blob = window.__blobs[window.__blobs.length - 1];
    return [blob.type, new TextDecoder().decode(await blob.slice(0, 5).arrayBuffer()), blob.size]; }"""


def _reports(live):
    with live.db():
        return [(r.resident_id, r.purpose) for r in db.session.query(CreditReport).order_by(CreditReport.id)]


def test_home_shows_the_notices_of_my_village_pinned_first(open_phone, live):
    worker = live.token(username="worker1")["access_token"]
    status, plain = live.api("POST", "/announcements", {
        "scope": "community", "community_id": live.community_id,
        "title_zh": "周六义诊", "body_zh": "周六上午九点在村委会义诊，请带上医保卡。"}, token=worker)
    assert status == 201, plain
    status, pinned = live.api("POST", "/announcements", {
        "scope": "community", "community_id": live.community_id, "pinned": True,
        "title_zh": "停水通知", "title_en": "Water cut", "body_zh": "明天8点至12点停水。",
        "body_en": "No water tomorrow from 8 to 12."}, token=worker)
    assert status == 201, pinned
    page = open_phone()
    sign_in(page, phone="13900000001")
    page.wait_for_selector(f"[data-test=announcement-{pinned['id']}]")
    shown = page.locator("article.announcement").all_inner_texts()
    assert "停水通知" in shown[0] and "置顶" in shown[0] and "明天8点至12点停水。" in shown[0]
    assert "周六义诊" in shown[1] and "请带上医保卡" in shown[1]
    page.shots("home-notices", full_page=True)
    assert_readable(page)
    page.click("[data-test=lang]")
    page.wait_for_selector("text=Water cut")
    assert "No water tomorrow from 8 to 12." in page.inner_text(f"[data-test=announcement-{pinned['id']}]")
    # a notice with no English text shows its Chinese one
    assert "周六义诊" in page.inner_text(f"[data-test=announcement-{plain['id']}]")


def test_my_archive_downloads_my_data_and_issues_my_credit_report_as_pdf(open_phone, live):
    page = open_phone()
    sign_in(page, phone="13900000003")
    page.wait_for_selector("[data-test=score]")
    page.click('[data-test="tab:/me"]')
    page.click("[data-test=my-archive]")
    page.wait_for_selector("[data-test=my-data]")
    page.shots("archive")
    assert_readable(page)
    page.evaluate(CATCH_BLOBS)

    with page.expect_download() as saved:
        page.click("[data-test=my-data]")
    assert saved.value.suggested_filename == "my-data.xlsx"
    kind, head, size = page.evaluate(LAST_BLOB)
    assert kind == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" and head.startswith("PK")
    page.wait_for_selector("[data-test=file-data]")

    # a report needs a purpose: the API's refusal shows, nothing is issued
    before = _reports(live)
    page.click("[data-test=credit-report]")
    page.wait_for_selector(".error-box")
    assert _reports(live) == before
    page.fill("input[name=purpose]", "本人申请，用于贷款")
    with page.expect_download() as saved:
        page.click("[data-test=credit-report]")
    assert saved.value.suggested_filename.startswith("credit-report-") and saved.value.suggested_filename.endswith(".pdf")
    kind, head, size = page.evaluate(LAST_BLOB)
    assert kind == "application/pdf" and head == "%PDF-" and size > 1000
    assert _reports(live) == before + [(live.residents["wang"], "本人申请，用于贷款")]
    page.wait_for_selector("[data-test^=report-]")
    assert "本人申请，用于贷款" in page.inner_text("[data-test^=report-]")
    page.shots("credit-report", full_page=True)
    assert_readable(page)
