"""A volunteer activity run from the worker's phone, start to end: create it, publish it, start it,
a walk-in by card number, check-ins on the scanner screen, close it (whoever is still on site is
checked out and flagged), fix a forgotten check-out with a reason, settle, and see what settling
credited — with the list showing each activity's state and next step all along."""
from datetime import timedelta

from backend.audit.models import AuditLog
from backend.cards.models import Card
from backend.common.time import utcnow
from backend.credit.catalogue import find_item
from backend.credit.models import CreditRecord
from backend.extensions import db
from backend.volunteering.models import VolunteerActivity, VolunteerParticipation
from tests.mobile.conftest import assert_readable, sign_in

LOCAL = timedelta(hours=8)


def _local(moment):
    """What a worker in the district types into a date-time field."""
    return (moment + LOCAL).strftime("%Y-%m-%dT%H:%M")


def _activity(live, title):
    """The activity as it is now, detached (reading it later must not hold the database open)."""
    with live.db():
        found = db.session.query(VolunteerActivity).filter_by(title_zh=title).one_or_none()
        if found is not None:
            db.session.refresh(found)
            db.session.expunge(found)
        return found


def _part(live, activity_id, key):
    with live.db():
        part = db.session.query(VolunteerParticipation).filter_by(
            activity_id=activity_id, resident_id=live.residents[key]).one_or_none()
        if part is not None:
            db.session.refresh(part)
            db.session.expunge(part)
        return part


def test_worker_creates_publishes_runs_closes_fixes_and_settles_an_activity(open_phone, live):
    page = open_phone("/login?as=staff")
    sign_in(page, username="worker1")
    page.wait_for_selector('[data-test="tab:/w/activities"]')
    page.click('[data-test="tab:/w/activities"]')
    page.wait_for_selector("[data-test=new-activity]")
    page.shots("board-empty")
    assert_readable(page)

    # a morning's river clean-up that began two hours ago and ends in an hour
    page.click("[data-test=new-activity]")
    page.wait_for_selector("input[name=title_zh]")
    now = utcnow().replace(second=0, microsecond=0)
    starts = now - timedelta(hours=2)
    page.fill("input[name=title_zh]", "清理村东河道")
    page.fill("input[name=place]", "村东河道")
    page.fill("input[name=starts]", _local(starts))
    page.fill("input[name=ends]", _local(now + timedelta(hours=1)))
    assert page.inner_text("[data-test=hours]") == "共 3 小时"
    page.fill("input[name=points_per_hour]", "6")
    page.fill("input[name=capacity]", "0")
    page.click("[data-test=save-activity]")
    assert page.inner_text("[data-test=local-error]") == "名额须为 1 到 10000 的整数。"
    assert _activity(live, "清理村东河道") is None
    page.fill("input[name=capacity]", "10")
    page.shots("new")
    assert_readable(page)
    page.click("[data-test=save-activity]")
    page.wait_for_selector("[data-test=publish]")
    activity = _activity(live, "清理村东河道")
    assert (activity.status, activity.points_per_hour, activity.capacity) == ("draft", 6, 10)
    assert activity.starts_at == starts and activity.title_en == "清理村东河道"
    assert page.inner_text("[data-test=state]").split()[-1] == "草稿"
    page.shots("draft")
    assert_readable(page)

    # the list: a draft's next step is to publish it, done from the list
    page.click("text=返回")
    page.wait_for_selector(f"[data-test=next-{activity.id}]")
    assert page.inner_text(f"[data-test=state-{activity.id}]") == "草稿"
    assert page.inner_text(f"[data-test=next-{activity.id}]") == "发布报名"
    page.shots("board-draft")
    page.click(f"[data-test=next-{activity.id}]")
    page.locator(".van-dialog__confirm:visible").click()
    page.wait_for_function(f"document.querySelector('[data-test=state-{activity.id}]').textContent === '报名中'")
    assert _activity(live, "清理村东河道").status == "open"
    assert page.inner_text(f"[data-test=next-{activity.id}]") == "现场签到"
    page.shots("board-open")
    assert_readable(page)

    # on the activity: start it, add 王建国 as a walk-in by his card number
    page.click(f"[data-test=activity-{activity.id}]")
    page.click("[data-test=start]")
    page.wait_for_function("document.querySelector('[data-test=state]').textContent.includes('进行中')")
    assert _activity(live, "清理村东河道").status == "running"
    live.card("wang")
    with live.db():
        number = db.session.query(Card).filter_by(kind="resident", subject_id=live.residents["wang"],
                                                  status="active").one().number
    page.fill("input[name=card_number]", number.lower())
    page.click("[data-test=add-walk-in]")
    page.wait_for_selector(f"[data-test=person-{live.residents['wang']}]")
    assert "现场加入" in page.inner_text(f"[data-test=person-{live.residents['wang']}]")
    assert _part(live, activity.id, "wang").source == "walk_in"
    page.shots("running")
    assert_readable(page)

    # the scanner screen checks both in (a handheld scanner types their cards)
    page.click("[data-test=to-scanner]")
    page.wait_for_selector("[data-test=counts]")
    page.evaluate("import('/webcommon/scanner.js').then((m) => m.setKeyGap(10000))")
    for key in ("wang", "zhang"):
        page.keyboard.type(live.card(key))
        page.keyboard.press("Enter")
        page.wait_for_function(f"""() => {{ const r = document.querySelector('[data-test=result-green]');
            return r && r.textContent.includes('签到成功') && r.textContent.includes('{ {"wang": "王建国", "zhang": "张三明"}[key] }'); }}""")
    page.wait_for_function("document.querySelector('[data-test=counts] b').textContent === '2'")
    page.click("[data-test=to-manage]")

    # close: both are still on site, so both are checked out now and flagged
    page.wait_for_selector("[data-test=close]")
    page.click("[data-test=close]")
    assert "2 人" in page.wait_for_selector(".van-dialog:visible").inner_text()
    page.locator(".van-dialog__confirm:visible").click()
    page.wait_for_selector("[data-test=settle]")
    assert _activity(live, "清理村东河道").status == "closed"
    assert page.locator("[data-test=forgotten]").count() == 2
    zhang = _part(live, activity.id, "zhang")
    assert zhang.checkout_forgotten and zhang.checked_out_at is not None
    page.shots("closed")
    assert_readable(page)

    # 张三明 came at the start and left 90 minutes later: the worker fixes his times, with a reason
    page.click(f"[data-test=fix-{live.residents['zhang']}]")
    page.wait_for_selector(".van-dialog input[name=checked_in_at]")
    page.fill(".van-dialog input[name=checked_in_at]", _local(starts))
    page.fill(".van-dialog input[name=checked_out_at]", _local(starts + timedelta(minutes=90)))
    page.locator(".van-dialog__confirm:visible").click()
    assert page.wait_for_selector("[data-test=fix-error]").inner_text() == "请写明修改原因（会记入审计日志）。"
    page.fill(".van-dialog input[name=reason]", "开始时就到了，忘记扫码；9点半离开")
    page.shots("fix")
    assert_readable(page)
    page.locator(".van-dialog__confirm:visible").click()
    page.wait_for_selector(".van-dialog", state="hidden")
    page.wait_for_function(f"""() => document.querySelector('[data-test=person-{live.residents["zhang"]}]')
        .textContent.includes('时间已更正')""")
    zhang = _part(live, activity.id, "zhang")
    assert (zhang.checked_in_at, zhang.checked_out_at, zhang.time_corrected) == (
        starts, starts + timedelta(minutes=90), True)
    with live.db():
        fixed = db.session.query(AuditLog).filter_by(action="volunteering.time_correct",
                                                     target_id=str(zhang.id)).one()
        assert fixed.reason == "开始时就到了，忘记扫码；9点半离开"
    assert page.locator("[data-test=forgotten]").count() == 1  # 王建国's is still as the close left it

    # settle: 1.5 hours × 6 points for 张三明; 王建国's few seconds earn nothing
    page.click("[data-test=settle]")
    page.locator(".van-dialog__confirm:visible").click()
    result = page.wait_for_selector("[data-test=settle-result]").inner_text()
    assert _activity(live, "清理村东河道").status == "settled"
    zhang = _part(live, activity.id, "zhang")
    wang = _part(live, activity.id, "wang")
    assert (zhang.credited_minutes, zhang.points) == (90, 9) and wang.points == 0
    assert "1 人 · 共 1.5 小时 · 共 9 积分" in result
    assert "1.5 小时 · 9 积分" in page.inner_text(f"[data-test=person-{live.residents['zhang']}]")
    assert "未计分" in page.inner_text(f"[data-test=person-{live.residents['wang']}]")
    with live.db():
        record = db.session.get(CreditRecord, zhang.credit_record_id)
        assert (record.status, record.resident_id) == ("pending", live.residents["zhang"])
    page.locator("[data-test=settle-result]").scroll_into_view_if_needed()
    page.shots("settled")
    assert_readable(page)

    # the list now offers the result
    page.click("text=返回")
    page.wait_for_selector(f"[data-test=next-{activity.id}]")
    assert page.inner_text(f"[data-test=state-{activity.id}]") == "已结算"
    assert page.inner_text(f"[data-test=next-{activity.id}]") == "查看结算结果"
    page.shots("board-settled")
    assert_readable(page)


def test_the_activity_list_and_a_new_activity_read_in_english(open_phone, live):
    page = open_phone("/login?as=staff", lang="en")
    sign_in(page, username="worker1")
    page.wait_for_selector('[data-test="tab:/w/activities"]')
    page.click('[data-test="tab:/w/activities"]')
    activity = _activity(live, "清理村东河道")
    page.wait_for_selector(f"[data-test=next-{activity.id}]")
    assert page.inner_text(f"[data-test=state-{activity.id}]") == "Settled"
    assert page.inner_text(f"[data-test=next-{activity.id}]") == "See what was credited"
    page.shots("board-en")
    assert_readable(page)
    page.click("[data-test=new-activity]")
    page.wait_for_selector("input[name=title_zh]")
    page.fill("input[name=title_zh]", "敬老院包饺子")
    page.fill("input[name=place]", "敬老院")
    page.fill("input[name=ends]", page.input_value("input[name=starts]"))
    page.click("[data-test=save-activity]")
    assert page.inner_text("[data-test=local-error]") == "Give the start and the end; the end comes after the start."
    assert _activity(live, "敬老院包饺子") is None
    page.shots("new-en")
    assert_readable(page)


def test_a_lost_publish_answer_is_retried_with_the_same_key_and_publishes_once(open_phone, live):
    worker = live.token(username="worker1")["access_token"]
    with live.db():
        item_id = find_item("volunteer_service", district_id=live.district_id, community_id=live.community_id).id
    now = utcnow().replace(microsecond=0)
    status, created = live.api("POST", "/volunteering/activities", {
        "community_ids": [live.community_id], "item_id": item_id, "title_zh": "修剪村道树枝", "title_en": "Trimming trees",
        "place": "村道", "starts_at": (now + timedelta(days=3)).isoformat() + "Z",
        "ends_at": (now + timedelta(days=3, hours=2)).isoformat() + "Z", "capacity": 8, "points_per_hour": 4},
        token=worker)
    assert status == 201, created
    page = open_phone("/login?as=staff")
    sign_in(page, username="worker1")
    page.wait_for_selector('[data-test="tab:/w/activities"]')
    keys = []

    def lose_first_answer(route):
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()  # the server publishes …
            route.abort("internetdisconnected")  # … and the answer never reaches the phone
        else:
            route.continue_()

    page.route(f"**/api/v1/volunteering/activities/{created['id']}/open", lose_first_answer)
    page.evaluate(f"location.hash = '#/w/activity/{created['id']}/manage'")
    page.click("[data-test=publish]")
    page.locator(".van-dialog__confirm:visible").click()
    assert "网络" in page.wait_for_selector(".error-box").inner_text()
    assert _activity(live, "修剪村道树枝").status == "open"  # it went through once already
    page.click("[data-test=publish]")
    page.locator(".van-dialog__confirm:visible").click()
    page.wait_for_function("document.querySelector('[data-test=state]').textContent.includes('报名中')")
    assert page.locator(".error-box").count() == 0
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1]
    with live.db():
        opened = db.session.query(AuditLog).filter_by(target_type="volunteer_activity", target_id=str(created["id"]))
        assert [entry.action for entry in opened.order_by(AuditLog.id)].count("volunteering.activity_open") == 1
