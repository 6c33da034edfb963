"""A resident's own data export (the subject's right to know): JSON and XLSX, theirs and no one else's."""
import io
from datetime import timedelta

import openpyxl
import pytest

from backend.common.time import utcnow
from backend.credit import objections, scoring, service
from backend.credit.models import RepairRequest
from backend.extensions import db
from backend.merchants.models import MerchantRating, Sale
from backend.supermarket.models import Supermarket, SupermarketItem, SupermarketOrder, SupermarketOrderLine
from backend.volunteering.models import VolunteerActivity, VolunteerParticipation
from tests.credit.conftest import principal_of, resident_principal
from tests.fixtures import assert_problem


@pytest.fixture
def lived(village, make_item, make_merchant, auth, client):
    """alice and carol each have a life in the system: records, an objection, a repair, points, a look-up,
    volunteering, a purchase with a rating, a supermarket order. Carol's rows must never reach alice."""
    good = make_item("brave_deed", 60, title_zh="见义勇为", title_en="Brave deed")
    bad = make_item("littering", -2, title_zh="乱扔垃圾", title_en="Littering")
    worker = principal_of(village.worker)
    now = utcnow()
    merchant = make_merchant(name="老王理发店")
    shop = Supermarket(district_id=village.community.district_id, community_id=village.community.id,
                       name_zh="西楼爱心超市", name_en="Xilou Love Shop")
    db.session.add(shop)
    db.session.flush()
    rice = SupermarketItem(district_id=shop.district_id, supermarket_id=shop.id, name_zh="大米", name_en="Rice",
                           category="grain_oil", price_points=10, stock=5)
    db.session.add(rice)
    activity = VolunteerActivity(district_id=shop.district_id, item_id=good.id, title_zh="清扫河道",
                                 title_en="River clean-up", place="河边", starts_at=now - timedelta(days=3),
                                 ends_at=now - timedelta(days=3) + timedelta(hours=2), capacity=10,
                                 points_per_hour=5, status="settled", organiser_id=village.worker.id)
    db.session.add(activity)
    db.session.flush()
    for n, (resident, note) in enumerate(((village.alice, "扶老人过马路"), (village.carol, "卡罗尔的记录"))):
        award = service.create_record(worker, resident.id, good.id, now - timedelta(days=5), note=note)
        scoring.finalise(award)
        minus = service.create_record(worker, resident.id, bad.id, now - timedelta(days=4))
        scoring.finalise(minus)
        objections.raise_objection(resident_principal(resident), award.id, f"{resident.name}：分数记少了")
        db.session.add(RepairRequest(district_id=resident.district_id, community_id=resident.community_id,
                                     record_id=minus.id, resident_id=resident.id, commitment=f"{resident.name}的承诺",
                                     status="pending", created_at=now))
        db.session.add(VolunteerParticipation(district_id=resident.district_id, activity_id=activity.id,
                                              resident_id=resident.id, status="confirmed",
                                              checked_in_at=activity.starts_at, checked_out_at=activity.ends_at,
                                              credited_minutes=120, points=10))
        sale = Sale(district_id=resident.district_id, merchant_id=merchant.id, resident_id=resident.id,
                    staff_user_id=village.worker.id, code_nonce=f"{n:016d}", stars=3, discount_percent=10,
                    bill_amount=100 + n, discount_amount=10, final_amount=90 + n)
        db.session.add(sale)
        db.session.flush()
        db.session.add(MerchantRating(district_id=resident.district_id, merchant_id=merchant.id, sale_id=sale.id,
                                      resident_id=resident.id, stars=5, comment=f"{resident.name}说很好"))
        order = SupermarketOrder(district_id=resident.district_id, supermarket_id=shop.id, resident_id=resident.id,
                                 receipt_no=f"R{n:08d}", pickup_code=f"P{n:06d}", status="placed", total_points=20)
        order.lines.append(SupermarketOrderLine(item_id=rice.id, quantity=2, unit_points=10, line_points=20))
        db.session.add(order)
    db.session.commit()
    # a staff look-up of each archive
    client.get(f"/api/v1/residents/{village.alice.id}", headers=auth(village.worker))
    client.get(f"/api/v1/residents/{village.carol.id}", headers=auth(village.worker))
    return village


def test_export_json_holds_my_data_and_no_secret(client, auth, lived):
    response = client.get("/api/v1/me/export.json", headers=auth(lived.alice))
    assert response.status_code == 200
    data = response.get_json()
    profile = data["profile"][0]
    assert (profile["name"], profile["community_zh"], profile["household_name"]) == ("王秀英", "西楼村", "王家")
    assert profile["score"] == 158 and profile["points"] == 60
    assert not {"id_hash", "password_hash", "pin_hash"} & set(profile)
    assert {(r["title_zh"], r["points"], r["status"]) for r in data["records"]} == {
        ("见义勇为", 60, "final"), ("乱扔垃圾", -2, "final")}
    assert [(o["reason"], o["status"], o["against_final"]) for o in data["objections"]] == [
        ("王秀英：分数记少了", "open", True)]
    assert [r["commitment"] for r in data["repairs"]] == ["王秀英的承诺"]
    assert [(p["kind"], p["points"]) for p in data["points"]] == [("credit_award", 60)]
    assert [(l["what"], l["by"]) for l in data["lookups"]] == [("profile", lived.worker.display_name)]
    assert [(v["activity_zh"], v["credited_minutes"]) for v in data["volunteering"]] == [("清扫河道", 120)]
    assert [(p["merchant"], p["bill_amount"]) for p in data["purchases"]] == [("老王理发店", 100)]
    assert [r["comment"] for r in data["ratings"]] == ["王秀英说很好"]
    assert [(o["receipt_no"], o["items"]) for o in data["orders"]] == [("R00000000", "大米 ×2")]
    assert data["records"][0]["occurred_at"].endswith("Z")
    # nothing of carol's, anywhere
    text = response.get_data(as_text=True)
    assert "李桂兰" not in text and "卡罗尔" not in text and "R00000001" not in text and '"bill_amount": 101' not in text


def test_export_xlsx_has_one_sheet_per_part_with_text_as_text(client, zh_client, auth, lived):
    response = zh_client.get("/api/v1/me/export.xlsx", headers=auth(lived.alice))
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["个人信息", "信用记录", "异议", "信用修复", "积分明细", "查询记录", "志愿服务",
                               "志愿服务证明", "商家消费", "商家评价", "超市兑换", "信用报告"]

    def rows(title):
        sheet = book[title]
        header = [cell.value for cell in sheet[1]]
        return [dict(zip(header, [cell.value for cell in row])) for row in sheet.iter_rows(min_row=2)]

    assert rows("个人信息")[0]["姓名"] == "王秀英" and "id_hash" not in rows("个人信息")[0]
    records = rows("信用记录")
    assert sorted(r["分值"] for r in records) == [-2, 60]
    assert [r["积分变动"] for r in rows("积分明细")] == [60]
    # times in the district's local time, written as text
    assert all(len(r["发生时间"]) == 16 for r in records)
    assert rows("超市兑换")[0]["物品"] == "大米 ×2"
    assert rows("查询记录")[0]["查询内容"] == "profile"
    everything = " ".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)
    assert "李桂兰" not in everything and "卡罗尔" not in everything
    english = client.get("/api/v1/me/export.xlsx", headers=auth(lived.alice))
    english_book = openpyxl.load_workbook(io.BytesIO(english.data))
    assert english_book.sheetnames[0] == "Profile"
    assert [cell.value for cell in english_book["Records"][1]][:3] == ["record id", "occurred at", "item code"]


def test_a_formula_looking_comment_stays_text(zh_client, auth, lived):
    rating = db.session.query(MerchantRating).filter_by(resident_id=lived.alice.id).one()
    rating.comment = "=HYPERLINK(\"http://evil\",\"x\")"
    db.session.commit()
    book = openpyxl.load_workbook(io.BytesIO(zh_client.get("/api/v1/me/export.xlsx", headers=auth(lived.alice)).data))
    cell = book["商家评价"]["D2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_a_new_resident_exports_empty_parts(client, auth, make_resident, community):
    newcomer = make_resident(community, name="新来的")
    data = client.get("/api/v1/me/export.json", headers=auth(newcomer)).get_json()
    assert data["profile"][0]["name"] == "新来的" and data["records"] == [] and data["points"] == []
    book = openpyxl.load_workbook(io.BytesIO(client.get("/api/v1/me/export.xlsx", headers=auth(newcomer)).data))
    assert len(book.sheetnames) == 12


def test_staff_cannot_use_the_residents_export(client, auth, lived):
    assert_problem(client.get("/api/v1/me/export.json", headers=auth(lived.worker)), 403)
    assert_problem(client.get("/api/v1/me/export.xlsx", headers=auth(lived.worker)), 403)
