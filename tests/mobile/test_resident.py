"""Residents on the phone: sign-in, home, My code, language and large text."""
from tests.mobile.conftest import assert_readable, sign_in


def test_resident_home_shows_score_stars_points_and_what_each_record_was_for(open_phone, live):
    page = open_phone()
    page.shots("login")
    assert_readable(page)
    sign_in(page, phone="13900000001")
    page.wait_for_selector("[data-test=score]")
    assert page.inner_text("[data-test=score]") == "130"
    assert page.inner_text("[data-test=points]") == "30"
    assert page.inner_text("[data-test=next-star]") == "再得 30 分升为 5 星"
    records = page.inner_text(".records")
    assert "见义勇为" in records and "邻里互助" in records and "参加村庄环境整治" in records
    assert "待审核" in records and "已生效" in records
    assert "信用加分奖励" not in records
    page.shots("home")
    page.shots("home-full", full_page=True)
    assert_readable(page)
