"""The resident's credit repair (apply with a commitment, see from when), points history (what each line was
for, the balance, more), my data as JSON, the alliance with my discounts, the shop card's rating link into
the app for a villager without a password; the reviewer's repair requests with verified volunteer hours."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.auth.models import RoleAssignment, User
from backend.auth.passwords import hash_secret
from backend.cards import service as cards
from backend.common.time import utcnow
from backend.credit import catalogue
from backend.credit import service as credit
from backend.credit.models import CreditRecord, RepairRequest
from backend.extensions import db
from backend.merchants.models import MerchantRating
from backend.org.models import Community
from backend.residents.models import Resident
from backend.supermarket import service as supermarket
from backend.supermarket.models import Supermarket, SupermarketCommunity, SupermarketItem
from tests.mobile.conftest import ID_NUMBER, PASSWORD, assert_readable, sign_in

COMMITMENT = "我已把门口的垃圾清理干净，今后按时分类投放，不再乱扔。"
LAST_BLOB_TEXT = """async () => { const blob = window.__blobs[window.__blobs.length - 1];
    return [blob.type, await blob.text()]; }"""
CATCH_BLOBS = """() => { const make = URL.createObjectURL; window.__blobs = [];
    URL.createObjectURL = (blob) => { window.__blobs.push(blob); return make.call(URL, blob); }; }"""


def _final_littering(live, key, days_ago, note):
    """A final littering deduction (−2) of resident ``key``, finalised ``days_ago`` days ago."""
    item = catalogue.find_item("littering", district_id=live.district_id, community_id=live.community_id)
    record = credit.record_system_credit(district_id=live.district_id, subject_type="resident",
                                         subject_id=live.residents[key], item_code="littering",
                                         source_ref=f"test:littering:{key}:{note}",
                                         occurred_at=utcnow() - timedelta(days=days_ago + 2))
    assert record.item_id == item.id and record.status == "final"
    record.note = note
    record.finalised_at = utcnow() - timedelta(days=days_ago)
    return record.id


@pytest.fixture(scope="module")
def scene(live):
    """wang: two deductions ready for repair and one too recent; zhang: supermarket orders, a staff grant and
    enough good deeds for two pages of history; li (no password yet): stars for a discount; a second village
    with its own reviewer."""
    with live.db():
        ids = {
            "ready": _final_littering(live, "wang", 100, "门口堆放垃圾"),
            "stale": _final_littering(live, "wang", 95, "河边倒污水"),
            "recent": _final_littering(live, "wang", 1, "路边扔垃圾"),
        }
        credit.record_system_credit(district_id=live.district_id, subject_type="resident",
                                    subject_id=live.residents["li"], item_code="brave_deed", source_ref="test:brave:li")
        catalogue.create_item(None, {
            "district_id": live.district_id, "scope": "district", "subject_type": "resident", "code": "small_help",
            "title_zh": "帮五保户挑水", "title_en": "Carrying water for an elderly neighbour", "category": "family_neighbours",
            "points": 1, "active": True, "effective_from": utcnow().date() - timedelta(days=400)}, actor="test")
        for n in range(21):
            credit.record_system_credit(district_id=live.district_id, subject_type="resident",
                                        subject_id=live.residents["zhang"], item_code="small_help",
                                        source_ref=f"test:help:{n}", occurred_at=utcnow() - timedelta(days=60 - n))
        zhang = db.session.get(Resident, live.residents["zhang"])
        shop = Supermarket(district_id=live.district_id, community_id=live.community_id, name_zh="西楼村信用超市",
                           name_en="Xilou credit supermarket")
        shop.served = [SupermarketCommunity(community_id=live.community_id)]
        db.session.add(shop)
        db.session.flush()
        rice = SupermarketItem(district_id=live.district_id, supermarket_id=shop.id, name_zh="大米5斤",
                               name_en="Rice 2.5 kg", category="grain_oil", photo="/kiosk/img/rice.svg",
                               price_points=12, stock=0)
        db.session.add(rice)
        db.session.flush()
        supermarket.move_stock(rice, 10, "intake", actor="test", donor_name="米山镇人民政府", donor_kind="government")
        supermarket.redeem_order(zhang, shop.id, [{"item_id": rice.id, "quantity": 1}], actor="test")
        other = Community(district_id=live.district_id, town_id=db.session.get(Community, live.community_id).town_id,
                          code="DL", name_zh="东楼村", name_en="Donglou Village")
        db.session.add(other)
        db.session.flush()
        outsider = User(district_id=live.district_id, username="reviewer9", display_name="赵书记",
                        password_hash=hash_secret(PASSWORD))
        outsider.roles.append(RoleAssignment(role="reviewer", community_id=other.id))
        db.session.add(outsider)
        live.merchant_card = cards.card_url(cards.ensure_card(live.district_id, "merchant", live.merchant_id))
    admin_grant(live)
    return ids


def admin_grant(live):
    with live.db():
        admin = User(district_id=live.district_id, username="admin9", display_name="信用中心",
                     password_hash=hash_secret(PASSWORD))
        admin.roles.append(RoleAssignment(role="district_admin", community_id=None))
        db.session.add(admin)
    token = live.token(username="admin9")["access_token"]
    status, body = live.api("POST", "/ledger/adjustments", {"resident_id": live.residents["zhang"], "direction": "grant",
                                                           "amount": 5, "reason": "补录去年的敬老志愿积分"}, token=token)
    assert status == 201, body


def _repairs(live):
    with live.db():
        return [(r.record_id, r.status) for r in db.session.query(RepairRequest).order_by(RepairRequest.id)]


def _record_status(live, record_id):
    with live.db():
        return db.session.execute(select(CreditRecord.status).where(CreditRecord.id == record_id)).scalar_one()


def test_resident_applies_for_repair_with_a_commitment_and_the_reviewer_approves_it(open_phone, live, scene):
    page = open_phone()
    sign_in(page, phone="13900000003")
    page.wait_for_selector("[data-test=score]")
    page.click('[data-test="tab:/me"]')
    page.wait_for_selector("[data-test=my-repair]")
    page.shots("me-menu")
    assert_readable(page)
    page.click("[data-test=my-repair]")
    page.wait_for_selector(f"[data-test=repair-option-{scene['ready']}]")
    recent = page.inner_text(f"[data-test=repair-option-{scene['recent']}] [data-test=repair-state]")
    with live.db():
        earliest = db.session.get(CreditRecord, scene["recent"]).finalised_at + timedelta(days=90)
    local = earliest + timedelta(hours=8)
    assert recent == f"可于 {local.year}年{local.month}月{local.day}日 {local:%H:%M} 起申请修复"
    assert not page.query_selector(f"[data-test=repair-option-{scene['recent']}] [data-test=repair-apply]")
    assert "现在可以申请修复" in page.inner_text(f"[data-test=repair-option-{scene['ready']}]")
    page.shots("repair-options", full_page=True)
    assert_readable(page)

    # an empty, then a too short commitment: said on the spot, nothing sent
    page.click(f"[data-test=repair-option-{scene['ready']}] [data-test=repair-apply]")
    page.click(".van-dialog__confirm")
    assert page.wait_for_selector(".van-dialog .van-field__error-message").inner_text() == "请写下您的信用承诺。"
    page.fill(".van-dialog textarea", "我会改")
    page.click(".van-dialog__confirm")
    page.wait_for_selector(".van-dialog .van-field__error-message:has-text('至少写10个字')")
    page.shots("repair-commitment-short")
    assert_readable(page)
    assert _repairs(live) == []
    page.fill(".van-dialog textarea", COMMITMENT)
    page.click(".van-dialog__confirm")
    page.wait_for_selector(f"[data-test=repair-option-{scene['ready']}]:has-text('修复申请审核中')")
    assert _repairs(live) == [(scene["ready"], "pending")]
    assert COMMITMENT in page.inner_text("[data-test^=my-repair-]")
    page.shots("repair-applied", full_page=True)

    # a screen left open: meanwhile the record turned too recent (a stale page), then one sent twice
    page.click(f"[data-test=repair-option-{scene['stale']}] [data-test=repair-apply]")
    with live.db():
        db.session.get(CreditRecord, scene["stale"]).finalised_at = utcnow() - timedelta(days=10)
    page.fill(".van-dialog textarea", COMMITMENT)
    page.click(".van-dialog__confirm")
    refused = page.wait_for_selector(".van-dialog .van-field__error-message:has-text('申请修复')").inner_text()
    assert refused.startswith("请于 ") and refused.endswith(" 之后申请修复。") and "You" not in refused
    page.shots("repair-too-early")
    assert _repairs(live) == [(scene["ready"], "pending")]
    page.click(".van-dialog__cancel")
    with live.db():
        db.session.get(CreditRecord, scene["stale"]).finalised_at = utcnow() - timedelta(days=95)
    page.reload()
    page.wait_for_selector(f"[data-test=repair-option-{scene['stale']}] [data-test=repair-apply]")
    page.click(f"[data-test=repair-option-{scene['stale']}] [data-test=repair-apply]")
    wang = live.token(phone="13900000003")["access_token"]
    status, first = live.api("POST", "/repairs", {"record_id": scene["stale"], "commitment": COMMITMENT}, token=wang)
    assert status == 201, first
    page.fill(".van-dialog textarea", COMMITMENT)
    page.click(".van-dialog__confirm")
    page.wait_for_selector(".van-dialog .van-field__error-message:has-text('该记录已有修复申请在处理。')")
    assert _repairs(live) == [(scene["ready"], "pending"), (scene["stale"], "pending")]
    page.click(".van-dialog__cancel")

    # a reviewer of another village sees nothing and can decide nothing
    outsider = open_phone()
    sign_in(outsider, username="reviewer9")
    outsider.click('[data-test="tab:/w/repairs"]')
    outsider.wait_for_selector(".repairs .van-empty")
    token = live.token(username="reviewer9")["access_token"]
    repair_id = first["id"]
    status, body = live.api("POST", f"/repairs/{repair_id}/approve", {}, token=token,
                            headers={"Accept-Language": "en"})
    assert (status, body["code"], body["detail"]) == (404, "repair_not_found", "No such repair request.")
    status, body = live.api("POST", f"/repairs/{repair_id}/approve", {}, token=token)
    assert (status, body["title"], body["detail"]) == (404, "未找到修复申请", "没有这个修复申请。")
    assert _record_status(live, scene["stale"]) == "final"

    # the village's reviewer: the commitment, the hours reported and verified; approve one, reject the other
    reviewer = open_phone()
    sign_in(reviewer, username="reviewer1")
    reviewer.click('[data-test="tab:/w/repairs"]')
    reviewer.wait_for_selector(".review-card")
    reviewer.wait_for_selector(".repairs >> text=王建国 · 乱扔垃圾、乱倒污水")  # the queue, not its loading line
    cards_text = reviewer.inner_text(".repairs")
    assert "王建国 · 乱扔垃圾、乱倒污水" in cards_text and COMMITMENT in cards_text
    assert "本人填报 0 小时，系统核实 0 小时" in cards_text
    reviewer.shots("reviewer-repairs", full_page=True)
    assert_readable(reviewer)
    ready_card = reviewer.locator(".review-card").nth(0)
    ready_card.locator("[data-test=approve]").click()
    reviewer.fill(".van-dialog textarea", "已核实，门口已清理")
    reviewer.shots("reviewer-approve")
    reviewer.click(".van-dialog__confirm")
    reviewer.wait_for_selector(".flash:has-text('已同意修复')")
    reviewer.wait_for_function("document.querySelectorAll('.review-card').length === 1")
    reviewer.locator(".review-card [data-test=reject]").click()
    reviewer.click(".van-dialog__confirm")
    assert reviewer.wait_for_selector(".van-dialog .van-field__error-message").inner_text() == "请填写驳回原因。"
    reviewer.fill(".van-dialog textarea", "请先参加一次志愿服务再申请")
    reviewer.click(".van-dialog__confirm")
    reviewer.wait_for_selector(".repairs .van-empty")
    reviewer.shots("reviewer-repairs-done")
    assert _record_status(live, scene["ready"]) == "repaired" and _record_status(live, scene["stale"]) == "final"
    assert _repairs(live) == [(scene["ready"], "approved"), (scene["stale"], "rejected")]

    # the resident sees the outcome and the reason
    page.reload()
    page.wait_for_selector("[data-test^=my-repair-]:has-text('已修复')")
    mine = page.inner_text(".repair")
    assert "未通过" in mine and "审核意见：请先参加一次志愿服务再申请" in mine
    assert f"repair-option-{scene['ready']}" not in page.content()  # repaired: nothing left to repair
    page.shots("repair-outcome", full_page=True)


def test_points_history_says_what_each_line_was_for_and_pages_with_more_in_large_text(open_phone, live, scene):
    page = open_phone()
    sign_in(page, phone="13900000001")
    page.wait_for_selector("[data-test=score]")
    page.click('[data-test="tab:/me"]')
    page.click("[data-test=my-points]")
    page.wait_for_selector("[data-test^=points-line-]")
    status, ledger = live.api("GET", "/me/ledger?per_page=50", token=live.token(phone="13900000001")["access_token"])
    assert status == 200
    assert page.inner_text("[data-test=balance]") == str(ledger["balance"])
    lines = page.locator("[data-test^=points-line-]")
    assert lines.count() == 20
    first, second = lines.nth(0).inner_text(), lines.nth(1).inner_text()
    assert "补录去年的敬老志愿积分" in first and "+5" in first and f"结余 {ledger['balance']} 积分" in first
    assert "西楼村信用超市：大米5斤×1" in second and "−12" in second and f"结余 {ledger['balance'] - 5} 积分" in second
    assert "帮五保户挑水" in lines.nth(2).inner_text() and "信用加分奖励" in lines.nth(2).inner_text()
    page.shots("points-history")
    assert_readable(page)
    page.click("[data-test=more]")
    page.wait_for_selector("text=没有更早的记录了")
    assert lines.count() == ledger["total"] > 20
    oldest = lines.nth(ledger["total"] - 1).inner_text()
    assert "见义勇为" in oldest and "结余 30 积分" in oldest  # the first movement: its balance is its own amount
    page.shots("points-history-more", full_page=True)

    # large text: the body grows to at least 20 px and the screen still reads well
    page.click("[data-test=large-text]")
    page.wait_for_timeout(300)
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.record-title')).fontSize)") >= 20
    page.shots("points-history-large")
    assert_readable(page)
    page.click("[data-test=lang]")
    page.wait_for_selector("text=Points history")
    assert "Xilou credit supermarket: Rice 2.5 kg ×1" in lines.nth(1).inner_text()
    page.click("[data-test=large-text]")


def test_my_data_downloads_as_json_next_to_the_workbook(open_phone, live, scene):
    page = open_phone()
    sign_in(page, phone="13900000001")
    page.wait_for_selector("[data-test=score]")
    page.goto(f"{live.base_url}/m/#/r/archive")
    page.wait_for_selector("[data-test=my-data-json]")
    page.shots("archive-json")
    assert_readable(page)
    page.evaluate(CATCH_BLOBS)
    with page.expect_download() as saved:
        page.click("[data-test=my-data-json]")
    assert saved.value.suggested_filename == "my-data.json"
    kind, text = page.evaluate(LAST_BLOB_TEXT)
    assert kind.startswith("application/json")
    data = json.loads(text)
    assert data["resident_id"] == live.residents["zhang"] and len(data["orders"]) == 1  # mine: the rice
    page.wait_for_selector("[data-test=file-data-json]")


def test_alliance_lists_shops_with_my_discount_and_the_shop_card_leads_a_new_villager_to_rate(open_phone, live,
                                                                                               scene):
    page = open_phone()
    sign_in(page, phone="13900000001")
    page.wait_for_selector("[data-test=score]")
    page.click('[data-test="tab:/me"]')
    page.click("[data-test=my-alliance]")
    shop = page.wait_for_selector(f"[data-test=shop-{live.merchant_id}]")
    status, alliance = live.api("GET", "/me/alliance", token=live.token(phone="13900000001")["access_token"])
    (barber,) = alliance["items"]
    assert "老王理发店" in shop.inner_text() and f"{barber['my_percent']}% 优惠" in shop.inner_text()
    assert "理发 · 西楼村" in shop.inner_text() and "文登区米山路1号" in shop.inner_text()
    assert f"升到 5 星可享 {barber['next_star_percent']}% 优惠" in shop.inner_text()
    assert "您现在是 4 星" in page.inner_text("[data-test=my-level]")
    page.shots("alliance")
    assert_readable(page)
    shop.click()
    page.wait_for_selector("[data-test=discount-4]")
    assert "这是您现在的星级" in page.inner_text("[data-test=discount-4]")
    assert page.query_selector("[data-test=nothing-to-rate]")
    page.shots("alliance-shop", full_page=True)
    assert_readable(page)

    # 李秀英 never set a password: she buys with a discount, opens the shop's door card and rates from there
    shop_token = live.token(username="shop1")["access_token"]
    status, sale = live.api("POST", "/merchant/sales", {"code": live.phone_code("li"), "bill_amount": 3000},
                            token=shop_token)
    assert status == 201, sale
    worker = live.token(username="worker1")["access_token"]
    status, issued = live.api("POST", f"/residents/{live.residents['li']}/activation-code", {}, token=worker)
    assert status == 201, issued
    villager = open_phone()
    # the door card's QR names the public address; the test server answers the same path
    villager.goto(live.base_url + "/c/" + live.merchant_card.rsplit("/c/", 1)[1])
    villager.wait_for_selector("[data-test=rate-in-app]")
    villager.shots("shop-card-page", full_page=True)
    villager.click("[data-test=rate-in-app]")
    villager.wait_for_selector("html[data-ready='1']")
    villager.wait_for_selector(".login")
    assert f"next=%2Fr%2Fshop%2F{live.merchant_id}" in villager.url
    villager.click("text=第一次使用或忘记密码")
    villager.wait_for_selector(".activate")
    villager.fill("input[name=phone]", "13900000002")
    villager.fill("input[name=code]", issued["code"])
    villager.fill("input[name=id_last4]", ID_NUMBER[-4:])
    villager.fill("input[name=password]", "li-password-1")
    villager.fill("input[name=password2]", "li-password-1")
    villager.click("button[type=submit]")
    villager.wait_for_selector("[data-test=rate-box]")
    assert villager.url.endswith(f"#/r/shop/{live.merchant_id}")
    villager.click(".van-rate__item:nth-child(5)")
    villager.fill("textarea[name=comment]", "理发师傅很耐心")
    villager.shots("rate-in-app")
    assert_readable(villager)
    villager.click("[data-test=send-rating]")
    villager.wait_for_selector("[data-test=rated]")
    villager.shots("rated-in-app")
    with live.db():
        ratings = [(r.sale_id, r.stars, r.comment) for r in db.session.query(MerchantRating)]
    assert ratings == [(sale["id"], 5, "理发师傅很耐心")]
