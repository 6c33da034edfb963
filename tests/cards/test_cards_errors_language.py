"""Card mistakes answer in the reader's language."""
from tests.fixtures import in_both_languages


def test_unknown_card_and_unreadable_code_are_read_in_both_languages(app, holders):
    zh, en = in_both_languages(app, "GET", "/api/v1/cards/99999", headers=holders.worker_headers)
    assert zh["code"] == "card_not_found" and zh["status"] == 404
    assert zh["title"] == "未找到卡片" and zh["detail"] == "没有这张卡。"
    assert en["title"] == "Card not found" and en["detail"] == "No such card."
    zh, en = in_both_languages(app, "POST", "/api/v1/cards/resolve", headers=holders.worker_headers,
                               json={"code": "https://credit.example.cn/c/garbage"})
    assert zh["code"] == "invalid_code" and zh["detail"] == "这不是诚信二维码。"
    assert en["detail"] == "This is not a Chengxin code."
