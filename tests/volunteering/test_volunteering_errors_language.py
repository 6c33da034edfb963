"""Volunteering mistakes answer in the reader's language, activity states as people say them."""
from tests.fixtures import assert_chinese, in_both_languages


def test_opening_an_open_activity_names_its_state_in_both_languages(app, vol):
    activity = vol.activity()
    zh, en = in_both_languages(app, "POST", f"/api/v1/volunteering/activities/{activity['id']}/open", headers=vol.org)
    assert zh["code"] == "wrong_activity_state" and zh["status"] == 409
    assert "报名中" in zh["detail"] and "草稿" in zh["detail"]
    assert_chinese(zh["title"], zh["detail"])
    assert "open for sign-up" in en["detail"] and "a draft" in en["detail"]
    assert "(possible when" in en["detail"]
