"""``/c/<token>``: the page a phone camera opens. Masked and public data only; plain error pages."""
import time

from backend.cards import service as cards
from backend.cards import tokens
from backend.credit import service as credit
from backend.extensions import db
from tests.fixtures import PASSWORD
from tests.merchants.factories import give_stars


def _path(card):
    return "/c/" + cards.card_token(card)


def _page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response, response.get_data(as_text=True)


def test_resident_card_page_shows_masked_name_community_and_stars(client, holders):
    give_stars(holders.resident, 3)
    response, html = _page(client, _path(holders.resident_card))
    assert "李*英" in html and holders.community.name_zh in html and holders.community.name_en in html
    assert "有效" in html and "Valid" in html and "3 星" in html and html.count("★") >= 3
    for leak in ("李秀英", "13911112222", "139****2222", holders.resident_card.number, "1958"):
        assert leak not in html
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"
    assert '<html lang="zh-CN">' in html and 'name="viewport"' in html


def test_revoked_resident_card_page_says_so_without_standing(client, holders):
    cards.revoke_card("system", holders.resident_card, "lost")
    db.session.commit()
    _, html = _page(client, _path(holders.resident_card), 410)
    assert "已作废" in html and "Revoked" in html and "李*英" in html
    assert "星级" not in html and "李秀英" not in html


def test_moved_out_resident_card_is_not_valid(client, holders):
    holders.resident.status = "moved_out"
    db.session.commit()
    _, html = _page(client, _path(holders.resident_card), 410)
    assert "已作废" in html


def _rated_merchant(client, holders, make_staff, login):
    """Two sales and ratings at the merchant, one of them answered."""
    staff_headers = login(make_staff(merchant=holders.merchant))
    give_stars(holders.resident, 3)
    for stars, comment in ((5, "水很热，服务好"), (3, None)):
        code = cards.issue_dynamic_code(holders.resident)["token"]
        sale = client.post("/api/v1/merchant/sales", headers=staff_headers, json={"code": code, "bill_amount": 3000})
        rating = client.post(f"/api/v1/me/sales/{sale.get_json()['id']}/rating", headers=login(holders.resident),
                             json={"stars": stars, "comment": comment}).get_json()
    client.post(f"/api/v1/merchant/ratings/{rating['id']}/reply", headers=staff_headers, json={"reply": "欢迎再来"})


def test_merchant_card_page_shows_public_merchant_data_and_the_rating_form(client, holders, make_staff, login):
    _rated_merchant(client, holders, make_staff, login)
    response, html = _page(client, _path(holders.merchant_card))
    m = holders.merchant
    for shown in (m.name, "洗浴", "Bathhouse", m.address, "联盟商家", "Alliance member", "商户信用等级",
                  "5%", "8%", "15%", "4.0 / 5", "2 条评价", "水很热，服务好", "欢迎再来", "<form", 'name="stars"',
                  f'action="/c/{cards.card_token(holders.merchant_card)}/rating"'):
        assert shown in html, shown
    level = credit.subject_score("merchant", m.id)["level"]
    assert f'<div class="level">{level}</div>' in html
    for leak in ("13900000000", "李秀英", "李*英", "13911112222", "MA3C"):
        assert leak not in html


def test_suspended_merchant_page_shows_the_status_and_no_discounts(client, holders, login):
    client.post(f"/api/v1/merchants/{holders.merchant.id}/suspend", headers=login(holders.admin),
                json={"reason": "内部原因 internal"})
    _, html = _page(client, _path(holders.merchant_card))
    assert "暂停优惠" in html and "Suspended" in html
    assert "守信居民优惠" not in html and "内部原因" not in html


def test_revoked_merchant_card_shows_only_that_it_is_revoked(client, holders):
    cards.issue_card(holders.district.id, "merchant", holders.merchant.id)  # reissue
    db.session.commit()
    _, html = _page(client, _path(holders.merchant_card), 410)
    assert holders.merchant.name in html and "已作废" in html and holders.merchant.address not in html
    assert "<form" not in html


def test_dynamic_code_page_names_nobody(client, holders):
    token = cards.issue_dynamic_code(holders.resident)["token"]
    _, html = _page(client, f"/c/{token}")
    assert "一次性动态码" in html and "李" not in html and holders.community.name_zh not in html


def test_bad_addresses_get_plain_error_pages(client, holders):
    for path, status in (("/c/garbage", 400), ("/c/" + "A" * 120, 400), ("/c/", 404), ("/c/a/b/c", 404),
                         ("/c/%E4%B8%AD%E6%96%87", 400), ("/c/" + "x" * 5000, 400)):
        _, html = _page(client, path, status)
        assert "无法识别的二维码" in html and "This QR code is not valid" in html, path


def test_truncated_forged_and_expired_codes_get_plain_error_pages(client, holders):
    token = cards.card_token(holders.resident_card)
    _page(client, "/c/" + token[:-5], 400)
    forged = token[:30] + ("B" if token[30] == "A" else "A") + token[31:]
    _page(client, "/c/" + forged, 400)
    unknown = tokens.sign(tokens.KIND_RESIDENT_CARD, 424242)
    _page(client, "/c/" + unknown, 400)
    expired = tokens.sign(tokens.KIND_DYNAMIC, holders.resident.id, ttl=1)
    time.sleep(1.1)
    _, html = _page(client, "/c/" + expired, 410)
    assert "二维码已过期" in html


def test_pages_work_from_the_full_url_a_camera_opens(client, holders):
    url = cards.card_url(holders.resident_card)
    assert url.startswith("https://credit.example.cn/c/")
    response = client.get(url)
    assert response.status_code == 200 and "李*英" in response.get_data(as_text=True)


def test_public_rating_form_is_rate_limited(app, client, holders):
    # per client address; guesses at one phone number are stopped sooner, per account (tests/auth)
    app.config["LOGIN_RATE_LIMIT"] = "10 per minute"
    path = _path(holders.merchant_card) + "/rating"
    statuses = [client.post(path, data={"phone": f"139111{n:05d}", "password": "wrong", "stars": "5"}).status_code
                for n in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[-1] == 429
    last = client.post(path, data={"phone": "13911112222", "password": PASSWORD, "stars": "5"})
    assert last.status_code == 429 and last.mimetype == "text/html"
