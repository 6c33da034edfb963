"""Ratings: only for a real visit (the resident's own valid sale), once, within 7 days; one reply; hiding."""
from datetime import timedelta

from sqlalchemy import func, select

from backend.audit.models import AuditLog
from backend.cards import service as cards
from backend.credit import service as credit
from backend.extensions import db
from backend.merchants.models import MerchantRating, Sale
from tests.fixtures import PASSWORD, assert_problem
from tests.merchants.factories import dynamic_code, give_stars, item_points


def _sale(client, alliance, resident=None):
    code = dynamic_code(resident or alliance.resident)
    response = client.post("/api/v1/merchant/sales", headers=alliance.staff_headers,
                           json={"code": code, "bill_amount": 6000})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _ratings():
    return db.session.execute(select(func.count()).select_from(MerchantRating)).scalar_one()


def _score(alliance):
    return credit.subject_score("merchant", alliance.merchant.id)["score"]


def test_resident_rates_own_purchase_once(client, alliance, login):
    sale_id = _sale(client, alliance)
    headers = login(alliance.resident)
    before = _score(alliance)
    response = client.post(f"/api/v1/me/sales/{sale_id}/rating", headers=headers,
                           json={"stars": 5, "comment": "手艺好，态度热情"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["stars"], body["comment"], body["sale_id"]) == (5, "手艺好，态度热情", sale_id)
    assert _score(alliance) == before + item_points(alliance.district, "merchant_good_rating")
    again = client.post(f"/api/v1/me/sales/{sale_id}/rating", headers=headers, json={"stars": 1})
    assert_problem(again, 409, "already_rated")
    assert _ratings() == 1
    mine = client.get("/api/v1/me/sales", headers=headers).get_json()["items"][0]
    assert mine["rated"] is True and mine["rateable"] is False


def test_rating_credit_follows_the_stars(client, alliance, login):
    headers = login(alliance.resident)
    for stars, item in ((1, "merchant_bad_rating"), (2, "merchant_bad_rating"), (3, None),
                        (4, "merchant_good_rating"), (5, "merchant_good_rating")):
        delta = item_points(alliance.district, item) if item else 0
        sale_id = _sale(client, alliance)
        before = _score(alliance)
        client.post(f"/api/v1/me/sales/{sale_id}/rating", headers=headers, json={"stars": stars})
        assert _score(alliance) == before + delta, stars


def test_nobody_rates_someone_elses_purchase(client, alliance, make_resident, login):
    sale_id = _sale(client, alliance)
    other = make_resident(alliance.community, name="吴德福")
    assert_problem(client.post(f"/api/v1/me/sales/{sale_id}/rating", headers=login(other), json={"stars": 1}),
                   404, "sale_not_found")
    assert_problem(client.post("/api/v1/me/sales/999999/rating", headers=login(other), json={"stars": 1}), 404)
    assert_problem(client.post(f"/api/v1/me/sales/{sale_id}/rating", headers=alliance.staff_headers,
                               json={"stars": 5}), 403, "wrong_principal_kind")
    assert _ratings() == 0


def test_voided_and_old_purchases_cannot_be_rated(client, alliance, login):
    headers = login(alliance.resident)
    voided = _sale(client, alliance)
    client.post(f"/api/v1/merchant/sales/{voided}/void", headers=alliance.staff_headers, json={"reason": "refund"})
    assert_problem(client.post(f"/api/v1/me/sales/{voided}/rating", headers=headers, json={"stars": 4}), 409,
                   "sale_voided")
    old = _sale(client, alliance)
    sale = db.session.get(Sale, old)
    sale.created_at -= timedelta(days=7, minutes=1)
    db.session.commit()
    assert_problem(client.post(f"/api/v1/me/sales/{old}/rating", headers=headers, json={"stars": 4}), 409,
                   "rating_window_closed")
    recent = _sale(client, alliance)
    sale = db.session.get(Sale, recent)
    sale.created_at -= timedelta(days=6, hours=23)
    db.session.commit()
    assert client.post(f"/api/v1/me/sales/{recent}/rating", headers=headers, json={"stars": 4}).status_code == 201
    assert _ratings() == 1


def test_bad_ratings_are_validation_errors(client, alliance, login):
    sale_id = _sale(client, alliance)
    headers = login(alliance.resident)
    for body in ({"stars": 0}, {"stars": 6}, {"stars": 4.5}, {"stars": "5"}, {}, {"stars": 4, "comment": "长" * 201}):
        assert_problem(client.post(f"/api/v1/me/sales/{sale_id}/rating", headers=headers, json=body),
                       422, "validation_failed")
    assert _ratings() == 0


def test_merchant_replies_once_to_its_own_ratings(client, alliance, make_merchant, make_staff, login):
    sale_id = _sale(client, alliance)
    rating = client.post(f"/api/v1/me/sales/{sale_id}/rating", headers=login(alliance.resident),
                         json={"stars": 2, "comment": "等太久"}).get_json()
    other_shop = login(make_staff(merchant=make_merchant(name="别家")))
    assert_problem(client.post(f"/api/v1/merchant/ratings/{rating['id']}/reply", headers=other_shop,
                               json={"reply": "?"}), 404, "rating_not_found")
    replied = client.post(f"/api/v1/merchant/ratings/{rating['id']}/reply", headers=alliance.staff_headers,
                          json={"reply": "抱歉，已增加人手"})
    assert replied.status_code == 200 and replied.get_json()["reply"] == "抱歉，已增加人手"
    assert_problem(client.post(f"/api/v1/merchant/ratings/{rating['id']}/reply", headers=alliance.staff_headers,
                               json={"reply": "again"}), 409, "already_replied")
    assert_problem(client.post(f"/api/v1/merchant/ratings/{rating['id']}/reply", headers=alliance.staff_headers,
                               json={"reply": ""}), 422)


def test_staff_hide_abusive_text_with_a_reason_kept_in_the_audit_log(client, alliance, login):
    sale_id = _sale(client, alliance)
    rating = client.post(f"/api/v1/me/sales/{sale_id}/rating", headers=login(alliance.resident),
                         json={"stars": 1, "comment": "骂人的话 abusive words"}).get_json()
    assert_problem(client.post(f"/api/v1/merchants/ratings/{rating['id']}/hide", headers=alliance.admin_headers,
                               json={}), 422)
    hidden = client.post(f"/api/v1/merchants/ratings/{rating['id']}/hide", headers=alliance.admin_headers,
                         json={"reason": "辱骂 abusive language"})
    assert hidden.status_code == 200 and hidden.get_json()["hidden"] is True
    assert_problem(client.post(f"/api/v1/merchants/ratings/{rating['id']}/hide", headers=alliance.admin_headers,
                               json={"reason": "again"}), 409, "already_hidden")
    entry = db.session.execute(select(AuditLog).where(AuditLog.action == "rating.hide")).scalar_one()
    assert entry.reason == "辱骂 abusive language" and entry.before["comment"] == "骂人的话 abusive words"
    shop_view = client.get("/api/v1/merchant/ratings", headers=alliance.staff_headers).get_json()["items"][0]
    assert shop_view["comment"] is None and shop_view["hidden"] is True and shop_view["stars"] == 1
    staff_view = client.get(f"/api/v1/merchants/{alliance.merchant.id}/ratings?hidden=true",
                            headers=alliance.admin_headers).get_json()
    assert staff_view["total"] == 1 and staff_view["items"][0]["comment"] == "骂人的话 abusive words"
    page = client.get(cards.card_url(alliance.card).split("credit.example.cn")[1]).get_data(as_text=True)
    assert "骂人的话" not in page and "已被隐藏" in page


def test_public_form_rates_the_latest_purchase_after_signing_in(client, alliance):
    sale_id = _sale(client, alliance)
    path = cards.card_url(alliance.card).split("credit.example.cn")[1]
    response = client.post(f"{path}/rating", data={"phone": "13812345678", "password": PASSWORD, "stars": "4",
                                                   "comment": "干净整洁"})
    assert response.status_code == 303 and response.headers["Location"].endswith("?rated=1")
    rating = db.session.execute(select(MerchantRating)).scalar_one()
    assert (rating.sale_id, rating.stars, rating.comment) == (sale_id, 4, "干净整洁")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "感谢您的评价" in page and "干净整洁" in page
    again = client.post(f"{path}/rating", data={"phone": "13812345678", "password": PASSWORD, "stars": "1"})
    assert again.status_code == 409 and again.mimetype == "text/html"
    # the same visit rated twice is "already rated", not "no purchase to rate"
    page = again.get_data(as_text=True)
    assert "已评价过" in page and "Already rated" in page and "暂无可评价的消费" not in page
    assert _ratings() == 1


def test_public_form_refuses_wrong_password_no_purchase_and_bad_stars(client, alliance, make_resident):
    _sale(client, alliance)
    path = cards.card_url(alliance.card).split("credit.example.cn")[1]
    wrong = client.post(f"{path}/rating", data={"phone": "13812345678", "password": "nope", "stars": "5"})
    assert wrong.status_code == 401 and wrong.mimetype == "text/html"
    assert "手机号或密码错误" in wrong.get_data(as_text=True)
    stranger = make_resident(alliance.community, name="郑春生", phone="13800009999")
    no_visit = client.post(f"{path}/rating", data={"phone": stranger.phone, "password": PASSWORD, "stars": "5"})
    assert no_visit.status_code == 409 and no_visit.mimetype == "text/html"
    assert "暂无可评价的消费" in no_visit.get_data(as_text=True)
    for stars in ("0", "6", "", "five"):
        bad = client.post(f"{path}/rating", data={"phone": "13812345678", "password": PASSWORD, "stars": stars})
        assert bad.status_code == 422 and bad.mimetype == "text/html"
    garbage = client.post("/c/not-a-token/rating", data={"phone": "13812345678", "password": PASSWORD, "stars": "5"})
    assert garbage.status_code == 400 and garbage.mimetype == "text/html"
    resident_card = cards.card_url(cards.ensure_card(alliance.district.id, "resident", alliance.resident.id))
    db.session.commit()
    wrong_kind = client.post(resident_card.split("credit.example.cn")[1] + "/rating",
                             data={"phone": "13812345678", "password": PASSWORD, "stars": "5"})
    assert wrong_kind.status_code == 422 and wrong_kind.mimetype == "text/html"
    assert _ratings() == 0


def test_average_and_recent_ratings(client, alliance, make_resident, login):
    other = make_resident(alliance.community, name="冯永祥")
    give_stars(other, 3)
    for resident, stars in ((alliance.resident, 5), (other, 4), (alliance.resident, 2)):
        sale_id = _sale(client, alliance, resident)
        client.post(f"/api/v1/me/sales/{sale_id}/rating", headers=login(resident), json={"stars": stars})
    summary = client.get("/api/v1/merchant/summary", headers=alliance.staff_headers).get_json()
    assert summary["ratings"] == {"count": 3, "average": 3.7}
