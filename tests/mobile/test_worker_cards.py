"""Cards from the worker's phone: from a resident's archive, issue a first card, or reissue a lost one
(the old card stops working at once) and see the new card number."""
from backend.cards.models import Card
from backend.extensions import db
from tests.mobile.conftest import assert_readable, sign_in


def _cards(live, key):
    with live.db():
        return [(c.number, c.status) for c in db.session.query(Card).filter_by(
            kind="resident", subject_id=live.residents[key]).order_by(Card.id)]


def _open_archive(page, live, key):
    page.evaluate(f"location.hash = '#/w/resident/{live.residents[key]}'")
    page.wait_for_selector("[data-test=resident-card]")


def test_worker_reissues_a_lost_card_and_the_old_one_stops_working(open_phone, live):
    old_url = live.card("zhao")
    old_number = _cards(live, "zhao")[0][0]
    page = open_phone("/login?as=staff")
    sign_in(page, username="worker1")
    page.wait_for_selector('[data-test="tab:/w/find"]')
    _open_archive(page, live, "zhao")
    page.shots("archive")
    page.click("[data-test=resident-card]")
    page.wait_for_selector("[data-test=active-card]")
    assert old_number in page.inner_text("[data-test=active-card]") and "赵玉珍的诚信卡" in page.inner_text("h1")
    page.shots("card")
    assert_readable(page)

    page.click("[data-test=reason-damaged]")
    page.click("[data-test=reissue-card]")
    dialog = page.wait_for_selector(".van-dialog")
    assert old_number in dialog.inner_text() and "立即作废" in dialog.inner_text()
    page.shots("confirm")
    page.click(".van-dialog__confirm")
    number = page.wait_for_selector("[data-test=new-card-number]").inner_text()
    assert number == old_number.rsplit("-", 1)[0] + "-2"
    assert _cards(live, "zhao") == [(old_number, "revoked"), (number, "active")]
    assert number in page.inner_text("[data-test=active-card]")
    assert page.is_visible(f"[data-test='old-card-{old_number}']")
    # the old card scanned anywhere is now refused
    worker = live.token(username="worker1")["access_token"]
    status, body = live.api("POST", "/cards/resolve", {"code": old_url}, token=worker)
    assert status == 410 and body["code"] == "card_revoked"
    page.shots("reissued")
    assert_readable(page)


def test_worker_issues_a_first_card_and_can_revoke_a_lost_one_without_a_new_card(open_phone, live):
    assert _cards(live, "li") == []
    page = open_phone("/login?as=staff", lang="en")
    sign_in(page, username="worker1")
    page.wait_for_selector('[data-test="tab:/w/find"]')
    _open_archive(page, live, "li")
    page.click("[data-test=resident-card]")
    page.wait_for_selector("[data-test=no-card]")
    page.shots("no-card-en")
    assert_readable(page)
    page.click("[data-test=issue-card]")
    page.click(".van-dialog__confirm")
    number = page.wait_for_selector("[data-test=new-card-number]").inner_text()
    assert _cards(live, "li") == [(number, "active")] and number.endswith("-1")
    assert "Print the card" in page.inner_text("[data-test=new-card]")
    page.shots("issued-en")

    page.click("[data-test=reason-lost]")
    page.click("[data-test=revoke-card]")
    page.click(".van-dialog__confirm")
    page.wait_for_selector("[data-test=no-card]")
    assert _cards(live, "li") == [(number, "revoked")]
    assert "Card lost" in page.inner_text(f"[data-test='old-card-{number}']")
    page.shots("revoked-en")
    assert_readable(page)
