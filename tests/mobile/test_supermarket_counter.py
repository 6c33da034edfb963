"""The credit supermarket's counter on the worker's phone: the (fake) camera reads the QR of a real
pickup code from a kiosk receipt, the order shows with the resident's name masked, the goods are
handed over once; a code shown again, a code of another village's shop and a lost answer on a poor
signal change nothing twice. Stock from a donor: 0 or a negative quantity is refused, a good intake
counts once."""
import pytest

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.ledger import service as ledger
from backend.org.models import Community
from backend.residents.models import Resident
from backend.supermarket import service as supermarket
from backend.supermarket.models import StockMovement, Supermarket, SupermarketCommunity, SupermarketItem
from backend.supermarket.models import SupermarketOrder
from tests.browser_helpers import fake_camera_args
from tests.mobile.conftest import BROWSER_ARGS, assert_readable, browser_path, sign_in


def _shop(live, community_id, name_zh, name_en):
    shop = Supermarket(district_id=live.district_id, community_id=community_id, name_zh=name_zh, name_en=name_en)
    shop.served = [SupermarketCommunity(community_id=community_id)]
    db.session.add(shop)
    db.session.flush()
    return shop


def _item(shop, name_zh, name_en, price, stock, category="grain_oil"):
    item = SupermarketItem(district_id=shop.district_id, supermarket_id=shop.id, name_zh=name_zh, name_en=name_en,
                           category=category, photo="/kiosk/img/rice.svg", price_points=price, stock=0,
                           low_stock_at=2)
    db.session.add(item)
    db.session.flush()
    supermarket.move_stock(item, stock, "intake", actor="test", donor_name="米山镇人民政府", donor_kind="government")
    return item


def _order(resident, shop, lines, points):
    fund = ledger.ensure_account(resident.district_id, "community_fund", resident.community_id)
    account = ledger.ensure_account(resident.district_id, "resident", resident.id)
    ledger.transfer(fund, account, points, kind="credit_award", key=f"test:counter:{resident.id}:{shop.id}:{len(lines)}",
                    ref_type="test", actor="test")
    return supermarket.redeem_order(resident, shop.id, [{"item_id": i.id, "quantity": q} for i, q in lines],
                                    actor=f"kiosk_resident:{resident.id}")


@pytest.fixture(scope="module")
def counter(live):
    """西楼村's credit supermarket with rice and soap; two orders of 张三明 and 王建国 placed at the kiosk;
    南楼村's shop with an order of one of its own residents."""
    class C:
        pass

    c = C()
    with live.db():
        shop = _shop(live, live.community_id, "西楼村信用超市", "Xilou credit supermarket")
        rice = _item(shop, "大米", "Rice", 30, 10)
        soap = _item(shop, "肥皂", "Soap", 5, 10, category="cleaning")
        zhang = db.session.get(Resident, live.residents["zhang"])
        wang = db.session.get(Resident, live.residents["wang"])
        first = _order(zhang, shop, [(rice, 1), (soap, 2)], 100)
        second = _order(wang, shop, [(soap, 1)], 20)
        village = db.session.get(Community, live.community_id)
        south = Community(district_id=live.district_id, town_id=village.town_id, code="NL", name_zh="南楼村",
                          name_en="Nanlou Village")
        db.session.add(south)
        db.session.flush()
        neighbour = Resident(district_id=live.district_id, community_id=south.id, name="钱南楼", gender="male",
                             birth_year=1966, phone="13900000019")
        db.session.add(neighbour)
        db.session.flush()
        other_shop = _shop(live, south.id, "南楼村信用超市", "Nanlou credit supermarket")
        flour = _item(other_shop, "面粉", "Flour", 10, 5)
        elsewhere = _order(neighbour, other_shop, [(flour, 1)], 10)
        c.shop_id, c.rice_id, c.soap_id = shop.id, rice.id, soap.id
        c.first, c.second, c.elsewhere = first.pickup_code, second.pickup_code, elsewhere.pickup_code
        c.first_id, c.second_id, c.elsewhere_id = first.id, second.id, elsewhere.id
    return c


def _status(live, order_id):
    with live.db():
        return db.session.get(SupermarketOrder, order_id).status


def _handovers(live, order_id):
    with live.db():
        return db.session.query(AuditLog).filter_by(action="supermarket_order.collect",
                                                    target_id=str(order_id)).count()


def _stock(live, item_id):
    with live.db():
        item = db.session.get(SupermarketItem, item_id)
        movements = db.session.query(StockMovement).filter_by(item_id=item_id, kind="intake").count()
        return item.stock, movements


@pytest.fixture(scope="module")
def camera(live, counter, playwright_, tmp_path_factory):
    """A browser whose camera films the QR code printed on 张三明's kiosk receipt (the pickup code itself)."""
    video = tmp_path_factory.mktemp("camera") / "receipt.y4m"
    browser = playwright_.chromium.launch(executable_path=browser_path(), headless=True,
                                          args=BROWSER_ARGS + fake_camera_args(video, counter.first))
    yield browser
    browser.close()


def test_worker_scans_a_receipt_with_the_camera_and_hands_the_goods_over_once(open_phone, live, counter, camera):
    page = open_phone("/login?as=staff", on=camera)
    sign_in(page, username="worker1")
    page.wait_for_selector('[data-test="tab:/w/counter"]')
    page.click('[data-test="tab:/w/counter"]')
    page.wait_for_selector("[data-test=scan-pickup]")
    assert "西楼村信用超市" in page.inner_text("[data-test=shop]")
    page.shots("counter")
    assert_readable(page)

    page.click("[data-test=scan-pickup]")
    order = page.wait_for_selector("[data-test=order]", timeout=30000)
    text = order.inner_text()
    assert page.inner_text("[data-test=masked-name]").split()[-1] == "张*明" and "张三明" not in text
    lines = page.eval_on_selector_all(".order-line", "els => els.map(e => e.innerText.split(/\\s+/).join(' '))")
    assert lines == ["大米 × 1", "肥皂 × 2"]
    assert "共 40 积分" in text
    assert _status(live, counter.first_id) == "placed"  # looking changes nothing
    page.shots("order")
    assert_readable(page)

    page.click("[data-test=hand-over]")
    assert "已交付" in page.wait_for_selector("[data-test=pickup-green]").inner_text()
    assert _status(live, counter.first_id) == "collected" and _handovers(live, counter.first_id) == 1
    assert page.locator("[data-test=hand-over]").count() == 0
    page.shots("handed-over")
    assert_readable(page)

    # the same receipt shown again (typed this time): it says so, and nothing can be handed over
    page.click("[data-test=next]")
    page.fill("input[name=pickup_code]", counter.first.lower())
    page.click("[data-test=find-pickup]")
    amber = page.wait_for_selector("[data-test=pickup-amber]")
    assert "已经用过" in amber.inner_text() and "不能再次交付" in amber.inner_text()
    assert page.locator("[data-test=hand-over]").count() == 0
    assert _handovers(live, counter.first_id) == 1
    page.shots("shown-twice")

    # a receipt of 南楼村's shop: this worker cannot see it, the API says so in Chinese, nothing moves
    page.click("[data-test=next]")
    page.fill("input[name=pickup_code]", counter.elsewhere)
    page.click("[data-test=find-pickup]")
    assert "没有订单使用这个取货码" in page.wait_for_selector(".error-box").inner_text()
    assert page.locator("[data-test=order]").count() == 0
    assert _status(live, counter.elsewhere_id) == "placed"
    page.fill("input[name=pickup_code]", "NOSUCHCODE")
    page.click("[data-test=find-pickup]")
    page.wait_for_function("""() => { const box = document.querySelector('.error-box');
        return box && box.textContent.includes('没有订单使用这个取货码') && !document.querySelector('.van-button--loading'); }""")
    page.shots("other-village")
    assert_readable(page)


def test_a_lost_handover_answer_is_retried_with_the_same_key_and_hands_over_once(open_phone, live, counter):
    page = open_phone("/login?as=staff", lang="en")
    sign_in(page, username="worker1")
    page.wait_for_selector('[data-test="tab:/w/counter"]')
    page.click('[data-test="tab:/w/counter"]')
    keys = []

    def lose_first_answer(route):
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()  # the server hands over …
            route.abort("internetdisconnected")  # … and the answer never reaches the phone
        else:
            route.continue_()

    page.route("**/api/v1/supermarkets/pickups", lose_first_answer)
    page.evaluate("import('/webcommon/scanner.js').then((m) => m.setKeyGap(10000))")
    page.wait_for_selector("[data-test=scan-pickup]")
    # a handheld scanner reads the receipt
    page.keyboard.type(counter.second)
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-test=order]")
    assert "王*国" in page.inner_text("[data-test=masked-name]") and "Soap" in page.inner_text("[data-test=order]")
    page.click("[data-test=hand-over]")
    page.wait_for_selector(".error-box")
    assert "never hands over twice" in page.inner_text("main")
    assert _status(live, counter.second_id) == "collected"  # it went through once already
    page.shots("answer-lost-en")
    assert_readable(page)
    page.click("[data-test=hand-over]")
    assert "Handed over" in page.wait_for_selector("[data-test=pickup-green]").inner_text()
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]
    assert _handovers(live, counter.second_id) == 1
    page.shots("retried-en")

    # shown once more later, in English: already used
    page.click("[data-test=next]")
    page.fill("input[name=pickup_code]", counter.second)
    page.click("[data-test=find-pickup]")
    assert "already used" in page.wait_for_selector("[data-test=pickup-amber]").inner_text()
    assert _handovers(live, counter.second_id) == 1


def test_worker_records_goods_from_a_donor_and_zero_or_negative_quantities_move_nothing(open_phone, live, counter):
    before = _stock(live, counter.rice_id)
    page = open_phone("/login?as=staff")
    sign_in(page, username="worker1")
    page.wait_for_selector('[data-test="tab:/w/counter"]')
    page.click('[data-test="tab:/w/counter"]')
    page.click("[data-test=to-intake]")
    page.wait_for_selector(f"[data-test=item-{counter.rice_id}]")
    page.click(f"[data-test=item-{counter.rice_id}]")
    page.fill("input[name=donor_name]", "米山小学")
    page.click("text=学校")
    page.shots("intake")
    assert_readable(page)
    for bad in ("0", "-3"):
        page.fill("input[name=quantity]", bad)
        page.click("[data-test=intake-submit]")
        assert page.wait_for_selector("[data-test=local-error]").inner_text() == "数量须为 1 到 100000 之间的整数。"
    assert _stock(live, counter.rice_id) == before
    page.shots("intake-zero")
    assert_readable(page)

    page.fill("input[name=quantity]", "5")
    page.click("[data-test=intake-submit]")
    done = page.wait_for_selector("[data-test=intake-done]").inner_text()
    assert done == f"已入库 5 件 大米，现有库存 {before[0] + 5}。"
    assert _stock(live, counter.rice_id) == (before[0] + 5, before[1] + 1)
    with live.db():
        movement = db.session.query(StockMovement).filter_by(item_id=counter.rice_id).order_by(
            StockMovement.id.desc()).first()
        assert (movement.donor_name, movement.donor_kind, movement.quantity) == ("米山小学", "school", 5)
    page.shots("intake-done")
    assert_readable(page)


def test_a_receipt_of_the_villages_other_shop_is_refused_at_this_counter_and_handed_over_at_its_own(
        open_phone, live, counter):
    with live.db():
        second = _shop(live, live.community_id, "西楼村第二信用超市", "Xilou second credit supermarket")
        oil = _item(second, "食用油", "Oil", 10, 5)
        order = _order(db.session.get(Resident, live.residents["zhao"]), second, [(oil, 1)], 10)
        code, order_id, second_id = order.pickup_code, order.id, second.id
    page = open_phone("/login?as=staff")
    sign_in(page, username="worker1")
    page.wait_for_selector('[data-test="tab:/w/counter"]')
    page.click('[data-test="tab:/w/counter"]')
    page.wait_for_selector("#shop-pick")  # two shops of the village: the worker says which counter this is
    assert page.get_attribute("[role=radio] >> nth=0", "aria-checked") == "true"
    page.fill("input[name=pickup_code]", code)
    page.click("[data-test=find-pickup]")
    assert "该订单属于另一家超市" in page.wait_for_selector(".error-box").inner_text()
    assert page.locator("[data-test=order]").count() == 0 and _status(live, order_id) == "placed"
    page.shots("other-shop")
    assert_readable(page)
    page.click("text=西楼村第二信用超市")
    page.click("[data-test=find-pickup]")
    page.wait_for_selector("[data-test=hand-over]")
    page.click("[data-test=hand-over]")
    page.wait_for_selector("[data-test=pickup-green]")
    assert _status(live, order_id) == "collected"
    with live.db():
        assert db.session.get(SupermarketOrder, order_id).supermarket_id == second_id
