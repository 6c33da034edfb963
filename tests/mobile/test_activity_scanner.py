"""The community worker on site at a volunteer activity: the phone's (fake) camera reads a resident's
card and checks them in, then out; a keyboard-wedge scanner adds a walk-in and meets someone from
another village, who is refused with the API's own words."""
from datetime import timedelta

import pytest

from backend.common.time import utcnow
from backend.credit.catalogue import find_item
from backend.extensions import db
from backend.org.models import Community
from backend.residents.models import Resident
from backend.volunteering.models import VolunteerParticipation
from tests.browser_helpers import fake_camera_args
from tests.mobile.conftest import BROWSER_ARGS, assert_readable, browser_path, sign_in


def _iso(moment):
    return moment.replace(microsecond=0).isoformat() + "Z"


@pytest.fixture(scope="module")
def activity(live):
    """An open activity of 西楼村 starting in half an hour (check-in opens an hour before); 张三明
    signed up; a resident of a neighbouring village who did not."""
    with live.db():
        item = find_item("volunteer_service", district_id=live.district_id, community_id=live.community_id)
        village = db.session.get(Community, live.community_id)
        other = Community(district_id=live.district_id, town_id=village.town_id, code="DL", name_zh="东楼村",
                          name_en="Donglou Village")
        db.session.add(other)
        db.session.flush()
        outsider = Resident(district_id=live.district_id, community_id=other.id, name="孙东楼", gender="male",
                            birth_year=1970, phone="13900000009")
        db.session.add(outsider)
        db.session.flush()
        live.residents["sun"] = outsider.id
        item_id = item.id
    activity_id = _open_activity(live, item_id, "清扫村口广场", "Sweeping the village square",
                                 starts_in=timedelta(minutes=30))
    resident = live.token(phone="13900000001")["access_token"]
    status, body = live.api("POST", f"/volunteering/activities/{activity_id}/sign-up", token=resident)
    assert status in (200, 201), body
    return activity_id


def _open_activity(live, item_id, title_zh, title_en, starts_in):
    worker = live.token(username="worker1")["access_token"]
    now = utcnow()
    status, created = live.api("POST", "/volunteering/activities", {
        "community_ids": [live.community_id], "item_id": item_id, "title_zh": title_zh, "title_en": title_en,
        "place": "村口广场", "starts_at": _iso(now + starts_in), "ends_at": _iso(now + starts_in + timedelta(hours=3)),
        "capacity": 10, "points_per_hour": 5}, token=worker)
    assert status == 201, created
    status, body = live.api("POST", f"/volunteering/activities/{created['id']}/open", token=worker)
    assert status == 200, body
    return created["id"]


@pytest.fixture(scope="module")
def camera(live, playwright_, tmp_path_factory):
    """A browser whose camera films 张三明's printed card."""
    url = live.card("zhang")
    video = tmp_path_factory.mktemp("camera") / "card.y4m"
    browser = playwright_.chromium.launch(executable_path=browser_path(), headless=True,
                                          args=BROWSER_ARGS + fake_camera_args(video, url))
    yield browser
    browser.close()


def _attendance(live, activity_id, key):
    with live.db():
        part = db.session.query(VolunteerParticipation).filter_by(
            activity_id=activity_id, resident_id=live.residents[key]).one_or_none()
        return None if part is None else (part.source, part.checked_in_at is not None, part.checked_out_at is not None)


def test_worker_checks_residents_in_and_out_by_camera_and_wedge_scanner_with_instant_feedback(
        open_phone, live, activity, camera):
    page = open_phone("/login?as=staff", on=camera)
    sign_in(page, username="worker1")
    page.wait_for_selector('[data-test="tab:/w/activities"]')
    page.click('[data-test="tab:/w/activities"]')
    page.wait_for_selector(f"[data-test=activity-{activity}]")
    assert "清扫村口广场" in page.inner_text("main") and "报名中" in page.inner_text("main")
    page.shots("activities")
    assert_readable(page)

    # the next step of an open activity within its check-in hour is the scanner
    assert page.inner_text(f"[data-test=next-{activity}]") == "现场签到"
    page.click(f"[data-test=next-{activity}]")
    page.wait_for_selector("[data-test=counts]")
    assert page.inner_text("[data-test=counts]").split() == ["0", "人在现场", "1", "人已报名"]
    # count the tones the screen plays: one per answer
    page.evaluate("""() => { window.__tones = 0; const start = OscillatorNode.prototype.start;
        OscillatorNode.prototype.start = function (...a) { window.__tones += 1; return start.apply(this, a); }; }""")
    page.shots("scanner")
    assert_readable(page)

    # the camera reads 张三明's card: checked in, green, and the database says so
    page.click("[data-test=open-camera]")
    green = page.wait_for_selector("[data-test=result-green]", timeout=30000)
    assert "签到成功" in green.inner_text() and "张三明" in green.inner_text()
    assert _attendance(live, activity, "zhang") == ("sign_up", True, False)
    page.wait_for_function("document.querySelector('[data-test=counts] b').textContent === '1'")
    assert page.evaluate("window.__tones") >= 1
    page.shots("checked-in")
    # the camera keeps scanning: the same card again changes nothing and says so in amber
    amber = page.wait_for_selector("[data-test=result-amber]", timeout=30000)
    assert "已签到，无需重复扫码" in amber.inner_text()
    page.shots("already-in")
    # switched to check-out, the same card checks them out
    page.click("[data-test=mode-out]")
    page.wait_for_function("""() => { const r = document.querySelector('[data-test=result-green]');
        return r && r.textContent.includes('签退成功'); }""", timeout=30000)
    assert _attendance(live, activity, "zhang") == ("sign_up", True, True)
    page.wait_for_function("document.querySelector('[data-test=counts] b').textContent === '0'")
    page.shots("checked-out")
    page.click("[data-test=close-camera]")
    page.wait_for_selector("[data-test=open-camera]")

    # a handheld scanner types the card of someone from the next village: red, the API's words, nothing moved
    # (a busy test machine may type slower than a real scanner: allow longer gaps between keys)
    page.evaluate("import('/webcommon/scanner.js').then((m) => m.setKeyGap(10000))")
    page.click("[data-test=mode-in]")
    page.keyboard.type(live.card("sun"))
    page.keyboard.press("Enter")
    red = page.wait_for_selector("[data-test=result-red]")
    assert "该居民不属于本活动面向的社区" in red.inner_text()
    assert _attendance(live, activity, "sun") is None
    page.shots("other-village")
    assert_readable(page)

    # 王建国 did not sign up: with walk-ins allowed he joins and is checked in at once
    page.keyboard.type(live.card("wang"))
    page.keyboard.press("Enter")
    page.wait_for_function("""() => { const r = document.querySelector('[data-test=result-green]');
        return r && r.textContent.includes('王建国') && r.textContent.includes('现场加入'); }""")
    assert _attendance(live, activity, "wang") == ("walk_in", True, False)
    page.wait_for_function("document.querySelector('[data-test=counts] b').textContent === '1'")
    assert page.locator(".scan-result").count() == 1 and page.locator(".van-cell.log-red").count() == 1
    page.shots("walk-in")
    assert_readable(page)


def test_a_resident_who_did_not_sign_up_is_refused_when_walk_ins_are_off(open_phone, live, activity):
    page = open_phone("/login?as=staff", lang="en")
    sign_in(page, username="worker1")
    page.wait_for_selector('[data-test="tab:/w/activities"]')
    page.evaluate(f"location.hash = '#/w/activity/{activity}'")
    page.wait_for_selector("[data-test=counts]")
    page.evaluate("import('/webcommon/scanner.js').then((m) => m.setKeyGap(10000))")
    page.click("[data-test=walk-in]")
    assert page.get_attribute("[data-test=walk-in]", "aria-checked") == "false"
    page.keyboard.type(live.card("zhao"))
    page.keyboard.press("Enter")
    red = page.wait_for_selector("[data-test=result-red]")
    assert "Not signed up for this activity" in red.inner_text()
    assert _attendance(live, activity, "zhao") is None
    page.shots("no-walk-ins-en")
    assert_readable(page)


def test_resident_signs_up_for_an_activity_of_the_village_withdraws_and_opens_a_certificate_pdf(open_phone, live):
    with live.db():
        item_id = find_item("volunteer_service", district_id=live.district_id, community_id=live.community_id).id
    activity_id = _open_activity(live, item_id, "陪孤寡老人过节", "A festival with elderly neighbours",
                                 starts_in=timedelta(days=2))
    page = open_phone()
    sign_in(page, phone="13900000004")
    page.wait_for_selector("[data-test=score]")
    page.click('[data-test="tab:/me"]')
    page.click("[data-test=my-volunteering]")
    card = page.wait_for_selector(f"[data-test=open-{activity_id}]")
    assert "陪孤寡老人过节" in card.inner_text() and "已报名 0 / 10 人" in card.inner_text()
    assert page.inner_text("[data-test=vol-totals]").split() == ["0", "小时", "0", "积分", "0", "次活动"]
    page.shots("volunteering")
    assert_readable(page)

    page.click(f"[data-test=open-{activity_id}] [data-test=sign-up]")
    page.wait_for_selector(f"[data-test=open-{activity_id}] [data-test=my-place]")
    assert "您已报名" in page.inner_text(f"[data-test=open-{activity_id}]")
    assert _attendance(live, activity_id, "zhao") == ("sign_up", False, False)
    assert "已报名 1 / 10 人" in page.inner_text(f"[data-test=open-{activity_id}]")
    page.shots("signed-up")
    assert_readable(page)

    page.click(f"[data-test=open-{activity_id}] [data-test=withdraw]")
    page.wait_for_selector(f"[data-test=open-{activity_id}] [data-test=sign-up]")
    with live.db():
        part = db.session.query(VolunteerParticipation).filter_by(
            activity_id=activity_id, resident_id=live.residents["zhao"]).one()
        assert part.status == "withdrawn"

    # the certificate is fetched with the bearer token and opened from a blob, like the console's export
    page.evaluate("""() => { const make = URL.createObjectURL;
        URL.createObjectURL = (blob) => { window.__blob = blob; return make.call(URL, blob); }; }""")
    with page.expect_response(lambda r: r.url.endswith("/pdf")) as answer:
        page.click("[data-test=certificate]")
    assert answer.value.status == 200 and answer.value.headers["content-type"] == "application/pdf"
    link = page.wait_for_selector("[data-test=certificate-link]")
    assert link.get_attribute("href").startswith("blob:") and "VS" in link.inner_text()
    # what the phone holds is the PDF itself
    head = page.evaluate("""async () => { const blob = window.__blob;
        return [blob.type, new TextDecoder().decode(await blob.slice(0, 5).arrayBuffer()), blob.size]; }""")
    assert head[0] == "application/pdf" and head[1] == "%PDF-" and head[2] > 1000, head
    page.shots("certificate")
    assert_readable(page)
