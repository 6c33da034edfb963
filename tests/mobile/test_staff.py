"""Community staff on the phone: the reviewer's queue with photos (approve, reject with a reason), and
a worker logging a deed with a photo."""
from PIL import Image
from sqlalchemy import select

from backend.credit.models import CreditRecord
from backend.extensions import db
from tests.mobile.conftest import assert_readable, sign_in


def _status(live, record_id):
    with live.db():
        return db.session.execute(select(CreditRecord.status).where(CreditRecord.id == record_id)).scalar_one()


def test_reviewer_approves_a_deed_with_its_photo_and_rejects_another_with_a_reason(open_phone, live):
    page = open_phone("/login?as=staff")
    sign_in(page, username="reviewer1")
    photo_card = page.wait_for_selector(f"[data-test=record-{live.review_ids['photo']}]")
    assert "王建国 · 垃圾分类做得好" in photo_card.inner_text()
    assert "垃圾分类桶摆放整齐" in photo_card.inner_text()
    page.wait_for_function(f"""() => {{
        const img = document.querySelector('[data-test=record-{live.review_ids["photo"]}] img');
        return img && img.complete && img.naturalWidth === 320;
    }}""")
    page.shots("queue")
    assert_readable(page)
    photo_card.query_selector("[data-test=approve]").click()
    page.wait_for_selector(f"[data-test=record-{live.review_ids['photo']}]", state="detached")
    assert _status(live, live.review_ids["photo"]) == "in_notice"

    plain = page.wait_for_selector(f"[data-test=record-{live.review_ids['plain']}]")
    plain.query_selector("[data-test=reject]").click()
    page.wait_for_selector(".van-dialog textarea")
    page.click(".van-dialog__confirm")
    assert "请填写驳回原因" in page.wait_for_selector(".van-dialog .van-field__error-message").inner_text()
    assert _status(live, live.review_ids["plain"]) == "pending"
    page.fill(".van-dialog textarea", "现场核实：电线已由供电所更换，不属于居民报告")
    page.shots("reject-reason")
    assert_readable(page)
    page.click(".van-dialog__confirm")
    page.wait_for_selector(f"[data-test=record-{live.review_ids['plain']}]", state="detached")
    assert _status(live, live.review_ids["plain"]) == "rejected"
    page.shots("queue-done")


def test_worker_logs_a_deed_with_a_photo_and_sees_cap_and_photo_rules_first(open_phone, live, tmp_path):
    page = open_phone("/login?as=staff")
    sign_in(page, username="worker1")
    page.fill("input[name=q]", "王建国")
    page.click("button[type=submit]")
    page.click(".van-cell:has-text('王建国')")
    page.click("[data-test=log-deed]")
    page.wait_for_selector(".log-deed .chip")
    page.click(".chip:has-text('环境卫生')")
    courtyard = page.wait_for_selector("[data-test=item-beautiful_courtyard]")
    facts = courtyard.inner_text()
    assert "+5" in facts and "每季度最多 1 次" in facts and "须拍照" in facts
    courtyard.click()
    page.fill("textarea[name=note]", "院子打扫干净，种了花")
    page.shots("deed-form")
    assert_readable(page)
    page.click("[data-test=send-deed]")
    assert "需要现场照片" in page.wait_for_selector(".error-box").inner_text()
    # not a photo: the server says what it takes, nothing is recorded
    text = tmp_path / "note.txt"
    text.write_text("这不是照片")
    page.set_input_files("input[name=photo]", str(text))
    page.click("[data-test=send-deed]")
    assert "只接受" in page.wait_for_selector(".error-box:has-text('JPEG')").inner_text()
    page.shots("deed-not-a-photo")
    assert _records_of(live, "wang", "beautiful_courtyard") == []
    photo = tmp_path / "courtyard.jpg"
    Image.new("RGB", (2400, 1800), (120, 170, 90)).save(photo, quality=95)
    page.set_input_files("input[name=photo]", str(photo))
    page.wait_for_selector(".photo-preview")
    page.shots("deed-photo")
    page.click("[data-test=send-deed]")
    page.wait_for_selector(".flash:has-text('已登记')")
    page.wait_for_selector("[data-test=log-deed]")
    [(status, note, logged_by, evidence)] = _records_of(live, "wang", "beautiful_courtyard")
    assert (status, note, logged_by) == ("pending", "院子打扫干净，种了花", "staff:1")
    assert evidence[0][0] == "image/jpeg" and evidence[0][1] < 1_000_000  # shrunk on the phone
    # the cap is once a quarter: a second one is refused with the reason
    page.click("[data-test=log-deed]")
    page.click(".chip:has-text('环境卫生')")
    page.click("[data-test=item-beautiful_courtyard]")
    page.set_input_files("input[name=photo]", str(photo))
    page.click("[data-test=send-deed]")
    assert "上限" in page.wait_for_selector(".error-box").inner_text()
    page.shots("deed-cap-reached")
    assert len(_records_of(live, "wang", "beautiful_courtyard")) == 1


def _records_of(live, key, code):
    from backend.credit.models import CatalogueItem

    with live.db():
        rows = db.session.execute(
            select(CreditRecord).join(CatalogueItem, CatalogueItem.id == CreditRecord.item_id)
            .where(CreditRecord.resident_id == live.residents[key], CatalogueItem.code == code)).scalars()
        return [(r.status, r.note, r.logged_by, [(e.content_type, e.size) for e in r.evidence]) for r in rows]


def test_worker_opens_a_resident_by_scanning_their_printed_card(open_phone, live):
    page = open_phone("/login?as=staff")
    sign_in(page, username="worker1")
    page.wait_for_selector("[data-test=scan-resident]")
    page.shots("find")
    assert_readable(page)
    # a USB scanner types the card's URL and Enter with no field focused
    page.evaluate("""code => { for (const key of [...code, 'Enter']) document.dispatchEvent(
        new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true})); }""", live.card("zhao"))
    page.wait_for_selector("[data-test=issue-activation]")
    assert "赵玉珍" in page.inner_text("main")


def test_worker_resets_a_residents_kiosk_pin(open_phone, live):
    from backend.auth.passwords import verify_secret
    from backend.residents.models import Resident

    page = open_phone("/login?as=staff")
    sign_in(page, username="worker1")
    page.fill("input[name=q]", "赵玉珍")
    page.click("button[type=submit]")
    page.click(".van-cell:has-text('赵玉珍')")
    assert "未设置" in page.wait_for_selector("[data-test=pin-state]").inner_text()
    page.click("[data-test=reset-pin]")
    page.fill(".van-dialog input[name=pin]", "12345")
    page.click(".van-dialog__confirm")
    assert "6位数字" in page.wait_for_selector(".van-dialog .van-field__error-message").inner_text()
    page.fill(".van-dialog input[name=pin]", "246810")
    page.shots("pin")
    assert_readable(page)
    page.click(".van-dialog__confirm")
    page.wait_for_selector(".flash:has-text('自助终端密码已重设')")
    # the archive is read again after the reset: wait for it rather than race it
    page.wait_for_selector("[data-test=pin-state]:has-text('已设置')")
    with live.db():
        assert verify_secret(db.session.get(Resident, live.residents["zhao"]).pin_hash, "246810")


def test_resident_sees_that_the_worker_opened_their_archive(open_phone, live):
    worker = open_phone("/login?as=staff")
    sign_in(worker, username="worker1")
    worker.fill("input[name=q]", "张三明")
    worker.click("button[type=submit]")
    worker.click(".van-cell:has-text('张三明')")
    worker.wait_for_selector("[data-test=issue-activation]")
    resident = open_phone()
    sign_in(resident, phone="13900000001")
    resident.wait_for_selector("[data-test=score]")
    resident.click('[data-test="tab:/me"]')
    resident.click("[data-test=my-lookups]")
    resident.wait_for_selector(".lookups .van-cell")
    assert "王采集" in resident.inner_text("main") and "查看档案" in resident.inner_text("main")
    resident.shots("lookups")
    assert_readable(resident)


def test_reviewer_dismisses_an_objection_with_a_reason_before_its_due_date(open_phone, live):
    from backend.credit.models import Objection

    resident = live.token(phone="13900000003")["access_token"]
    status, board = live.api("GET", "/notice-board", token=resident)
    [helped] = [r for r in board["items"] if r["title_zh"] == "邻里互助"]
    status, objection = live.api("POST", "/objections", {"record_id": helped["id"], "reason": "那天他不在村里"},
                                 token=resident)
    assert status == 201, objection
    page = open_phone("/login?as=staff")
    sign_in(page, username="reviewer1")
    page.click('[data-test="tab:/w/objections"]')
    card = page.wait_for_selector(f"[data-test=objection-{objection['id']}]")
    assert "那天他不在村里" in card.inner_text() and "前答复" in card.inner_text()
    page.shots("objections")
    assert_readable(page)
    card.query_selector("[data-test=dismiss]").click()
    page.fill(".van-dialog textarea", "核实：当天有三位邻居作证")
    page.click(".van-dialog__confirm")
    page.wait_for_selector(f"[data-test=objection-{objection['id']}]", state="detached")
    with live.db():
        decided = db.session.get(Objection, objection["id"])
        assert (decided.status, decided.decision_note) == ("dismissed", "核实：当天有三位邻居作证")
