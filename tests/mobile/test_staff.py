"""Community staff on the phone: the reviewer's queue with photos (approve, reject with a reason)."""
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
