"""Announcements (公告): who may write them, who reads which, and when they show."""
from datetime import timedelta

from sqlalchemy import select

from backend.announcements.models import Announcement
from backend.audit.models import AuditLog
from backend.common.time import utcnow
from backend.extensions import db
from tests.fixtures import assert_chinese, assert_english, assert_problem

URL = "/api/v1/announcements"


def iso(moment):
    return moment.replace(microsecond=0).isoformat() + "Z"


def notice(community=None, **extra):
    body = {"scope": "community" if community else "district", "title_zh": "停水通知", "title_en": "Water cut",
            "body_zh": "周三上午停水。", "body_en": "No water on Wednesday morning."}
    if community:
        body["community_id"] = community.id
    body.update(extra)
    return body


def post(client, auth, who, **kw):
    return client.post(URL, json=notice(**kw), headers=auth(who))


def titles(response):
    assert response.status_code == 200, response.get_json()
    return [row["title_zh"] for row in response.get_json()["items"]]


# --- who may write ---------------------------------------------------------------------------


def test_district_admin_publishes_to_the_whole_district(client, auth, town):
    response = post(client, auth, town.admin)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["scope"] == "district" and body["community_id"] is None
    assert body["created_by_user_id"] == town.admin.id and body["withdrawn_at"] is None


def test_worker_and_reviewer_publish_to_their_own_community(client, auth, town):
    assert post(client, auth, town.east_worker, community=town.east).status_code == 201
    assert post(client, auth, town.east_reviewer, community=town.east).status_code == 201


def test_worker_cannot_publish_to_another_community(client, auth, town):
    assert_problem(post(client, auth, town.east_worker, community=town.west), 404, "community_not_found")
    assert db.session.query(Announcement).count() == 0


def test_community_of_another_district_is_not_found(client, auth, town, make_district, make_community):
    elsewhere = make_community(dist=make_district())
    assert_problem(post(client, auth, town.admin, community=elsewhere), 404, "community_not_found")


def test_only_a_district_admin_publishes_district_wide(client, auth, town):
    assert_problem(post(client, auth, town.east_worker), 403, "role_required")
    assert db.session.query(Announcement).count() == 0


def test_residents_cannot_publish(client, auth, town):
    assert_problem(post(client, auth, town.east_resident, community=town.east), 403, "wrong_principal_kind")


def test_worker_edits_and_withdraws_a_notice_of_their_community(client, auth, town):
    created = post(client, auth, town.east_worker, community=town.east).get_json()
    edited = client.patch(f"{URL}/{created['id']}", json={"title_zh": "停水通知（更正）", "pinned": True},
                          headers=auth(town.east_worker))
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["title_zh"] == "停水通知（更正）" and edited.get_json()["pinned"] is True
    withdrawn = client.post(f"{URL}/{created['id']}/withdraw", json={"reason": "已恢复供水"},
                            headers=auth(town.east_worker))
    assert withdrawn.status_code == 200 and withdrawn.get_json()["withdrawn_at"]


def test_notice_of_another_community_cannot_be_edited_or_withdrawn(client, auth, town):
    created = post(client, auth, town.east_worker, community=town.east).get_json()
    headers = auth(town.west_worker)
    assert_problem(client.patch(f"{URL}/{created['id']}", json={"title_zh": "x"}, headers=headers), 404,
                   "announcement_not_found")
    assert_problem(client.post(f"{URL}/{created['id']}/withdraw", json={}, headers=headers), 404,
                   "announcement_not_found")
    assert_problem(client.get(f"{URL}/{created['id']}", headers=headers), 404, "announcement_not_found")
    db.session.expire_all()
    row = db.session.get(Announcement, created["id"])
    assert row.title_zh == "停水通知" and row.withdrawn_at is None


def test_district_notice_is_read_but_not_edited_by_workers(client, auth, town):
    created = post(client, auth, town.admin).get_json()
    headers = auth(town.east_worker)
    assert client.get(f"{URL}/{created['id']}", headers=headers).status_code == 200
    assert_problem(client.patch(f"{URL}/{created['id']}", json={"title_zh": "x"}, headers=headers), 403,
                   "role_required")
    assert_problem(client.post(f"{URL}/{created['id']}/withdraw", json={}, headers=headers), 403, "role_required")


def test_withdrawn_notice_cannot_be_edited_or_withdrawn_again(client, auth, town):
    created = post(client, auth, town.admin).get_json()
    headers = auth(town.admin)
    assert client.post(f"{URL}/{created['id']}/withdraw", json={}, headers=headers).status_code == 200
    assert_problem(client.patch(f"{URL}/{created['id']}", json={"title_zh": "x"}, headers=headers), 409,
                   "announcement_withdrawn")
    assert_problem(client.post(f"{URL}/{created['id']}/withdraw", json={}, headers=headers), 409,
                   "announcement_withdrawn")


def test_every_staff_write_is_audited(client, auth, town):
    created = post(client, auth, town.east_worker, community=town.east).get_json()
    client.patch(f"{URL}/{created['id']}", json={"pinned": True}, headers=auth(town.east_worker))
    client.post(f"{URL}/{created['id']}/withdraw", json={"reason": "过时"}, headers=auth(town.east_worker))
    entries = db.session.execute(
        select(AuditLog).where(AuditLog.target_type == "announcement").order_by(AuditLog.id)).scalars().all()
    assert [e.action for e in entries] == ["announcement.create", "announcement.update", "announcement.withdraw"]
    assert all(e.actor == f"staff:{town.east_worker.id}" and e.target_id == str(created["id"]) for e in entries)
    assert entries[1].before == {"pinned": False} and entries[1].after == {"pinned": True}
    assert entries[2].reason == "过时"


# --- bad input -------------------------------------------------------------------------------


def test_bad_announcements_are_refused_and_nothing_is_written(client, auth, town):
    now = utcnow()
    for bad in (
        notice(town.east, title_zh=""),
        notice(town.east, body_zh="x" * 5001),
        notice(town.east, scope="village"),
        notice(town.east, publish_at="yesterday"),
        notice(town.east, publish_at=iso(now), expire_at=iso(now - timedelta(hours=1))),
        notice(town.east, pinned="often"),
        {**notice(), "scope": "community"},  # no community named
        notice(community_id=town.east.id),  # district-wide with a community
        {**notice(), "scope": "community", "community_id": 2**40},
        {**notice(), "scope": "community", "community_id": "1"},
    ):
        assert_problem(client.post(URL, json=bad, headers=auth(town.admin)), 422, "validation_failed")
    assert_problem(client.post(URL, data="{", headers={**auth(town.admin), "Content-Type": "application/json"}), 400)
    assert db.session.query(Announcement).count() == 0


def test_edit_that_would_expire_before_publishing_is_refused(client, auth, town):
    now = utcnow()
    created = post(client, auth, town.admin, publish_at=iso(now)).get_json()
    body = assert_problem(client.patch(f"{URL}/{created['id']}", json={"expire_at": iso(now - timedelta(days=1))},
                                       headers=auth(town.admin)), 422, "validation_failed")
    assert "expire_at" in body["errors"]
    for bad in ({"publish_at": None}, {"title_zh": None}, {"pinned": None}, {"title_zh": ""}, {"scope": "district"}):
        assert_problem(client.patch(f"{URL}/{created['id']}", json=bad, headers=auth(town.admin)), 422)
    db.session.expire_all()
    row = db.session.get(Announcement, created["id"])
    assert row.expire_at is None and row.title_zh == "停水通知" and row.publish_at is not None


def test_errors_read_in_the_readers_language(app, auth, town):
    headers = auth(town.east_worker)
    zh = app.test_client().post(URL, json=notice(town.west), headers=headers).get_json()
    en = app.test_client().post(URL, json=notice(town.west), headers={**headers, "Accept-Language": "en"}).get_json()
    assert_chinese(zh["title"], zh["detail"])
    assert_english(en["title"], en["detail"])


# --- who reads which, and when ---------------------------------------------------------------


def test_staff_list_shows_the_district_and_their_communities_only(client, auth, town):
    post(client, auth, town.admin, title_zh="全区")
    post(client, auth, town.east_worker, community=town.east, title_zh="东楼")
    post(client, auth, town.west_worker, community=town.west, title_zh="西楼")
    assert sorted(titles(client.get(URL, headers=auth(town.east_worker)))) == ["东楼", "全区"]
    assert sorted(titles(client.get(URL, headers=auth(town.admin)))) == ["东楼", "全区", "西楼"]
    assert titles(client.get(URL, query_string={"scope": "community"}, headers=auth(town.west_worker))) == ["西楼"]


def test_staff_list_paginates_and_filters_by_state(client, auth, town):
    now = utcnow()
    for n in range(3):
        post(client, auth, town.admin, title_zh=f"现行{n}")
    post(client, auth, town.admin, title_zh="预告", publish_at=iso(now + timedelta(days=2)))
    gone = post(client, auth, town.admin, title_zh="撤回").get_json()
    client.post(f"{URL}/{gone['id']}/withdraw", json={}, headers=auth(town.admin))
    page = client.get(URL, query_string={"per_page": 2, "page": 2}, headers=auth(town.admin)).get_json()
    assert page["total"] == 5 and len(page["items"]) == 2
    assert titles(client.get(URL, query_string={"state": "scheduled"}, headers=auth(town.admin))) == ["预告"]
    assert titles(client.get(URL, query_string={"state": "withdrawn"}, headers=auth(town.admin))) == ["撤回"]
    assert len(titles(client.get(URL, query_string={"state": "current"}, headers=auth(town.admin)))) == 3
    assert_problem(client.get(URL, query_string={"state": "someday"}, headers=auth(town.admin)), 422)
    assert_problem(client.get(URL, query_string={"community_id": 2**40}, headers=auth(town.admin)), 422)


def test_resident_reads_current_notices_of_their_community_and_district(client, auth, town):
    now = utcnow()
    post(client, auth, town.admin, title_zh="全区")
    post(client, auth, town.east_worker, community=town.east, title_zh="东楼")
    post(client, auth, town.west_worker, community=town.west, title_zh="西楼")
    post(client, auth, town.east_worker, community=town.east, title_zh="明天", publish_at=iso(now + timedelta(days=1)))
    post(client, auth, town.east_worker, community=town.east, title_zh="过期",
         publish_at=iso(now - timedelta(days=3)), expire_at=iso(now - timedelta(days=1)))
    gone = post(client, auth, town.east_worker, community=town.east, title_zh="撤回").get_json()
    client.post(f"{URL}/{gone['id']}/withdraw", json={}, headers=auth(town.east_worker))
    assert sorted(titles(client.get("/api/v1/me/announcements", headers=auth(town.east_resident)))) == ["东楼", "全区"]
    assert sorted(titles(client.get("/api/v1/me/announcements", headers=auth(town.west_resident)))) == ["全区", "西楼"]


def test_pinned_notices_come_first_then_the_newest(client, auth, town):
    now = utcnow()
    post(client, auth, town.admin, title_zh="旧", publish_at=iso(now - timedelta(days=2)))
    post(client, auth, town.admin, title_zh="置顶", publish_at=iso(now - timedelta(days=5)), pinned=True)
    post(client, auth, town.admin, title_zh="新", publish_at=iso(now - timedelta(hours=1)))
    assert titles(client.get("/api/v1/me/announcements", headers=auth(town.east_resident))) == ["置顶", "新", "旧"]


def test_resident_view_does_not_name_the_writer(client, auth, town):
    post(client, auth, town.admin)
    item = client.get("/api/v1/me/announcements", headers=auth(town.east_resident)).get_json()["items"][0]
    assert "created_by_user_id" not in item and item["body_en"] == "No water on Wednesday morning."


def test_staff_cannot_use_the_residents_feed(client, auth, town):
    assert_problem(client.get("/api/v1/me/announcements", headers=auth(town.admin)), 403, "wrong_principal_kind")


def test_notices_of_another_district_never_show(client, auth, town, make_district, make_community, make_staff,
                                                make_resident):
    other = make_district()
    far = make_community(dist=other)
    post(client, auth, make_staff(district_admin=True, dist=other), title_zh="别区")
    post(client, auth, town.admin, title_zh="本区")
    assert titles(client.get("/api/v1/me/announcements", headers=auth(make_resident(far)))) == ["别区"]
    assert titles(client.get("/api/v1/me/announcements", headers=auth(town.east_resident))) == ["本区"]
    assert titles(client.get(URL, headers=auth(town.admin))) == ["本区"]


# --- the kiosk's welcome screen --------------------------------------------------------------


def test_kiosk_shows_notices_of_the_communities_its_supermarket_serves(client, auth, town, make_community,
                                                                      make_staff, make_supermarket, make_kiosk):
    north = make_community(name_zh="北楼村")
    shop = make_supermarket(town.east, served=[town.west])
    _device, headers = make_kiosk(shop)
    post(client, auth, town.admin, title_zh="全区")
    post(client, auth, town.east_worker, community=town.east, title_zh="东楼")
    post(client, auth, town.west_worker, community=town.west, title_zh="西楼")
    post(client, auth, make_staff(worker=[north]), community=north, title_zh="北楼")
    response = client.get("/api/v1/kiosk/announcements", headers=headers)
    assert response.status_code == 200, response.get_json()
    assert sorted(row["title_zh"] for row in response.get_json()["items"]) == ["东楼", "全区", "西楼"]


def test_kiosk_does_not_show_notices_of_communities_it_does_not_serve(client, auth, town, make_supermarket,
                                                                     make_kiosk):
    _device, headers = make_kiosk(make_supermarket(town.east))
    post(client, auth, town.west_worker, community=town.west, title_zh="西楼")
    assert client.get("/api/v1/kiosk/announcements", headers=headers).get_json()["items"] == []


def test_kiosk_notices_need_the_device_token(client, auth, town, make_supermarket, make_kiosk):
    assert_problem(client.get("/api/v1/kiosk/announcements"), 401, "token_missing")
    assert_problem(client.get("/api/v1/kiosk/announcements", headers=auth(town.east_resident)), 403,
                   "wrong_principal_kind")


def test_disabled_kiosk_reads_no_notices(client, auth, town, make_supermarket, make_kiosk):
    device, headers = make_kiosk(make_supermarket(town.east))
    device.disabled_at = utcnow()
    db.session.commit()
    assert_problem(client.get("/api/v1/kiosk/announcements", headers=headers), 403)


# --- the list as an XLSX download --------------------------------------------------------------


def test_announcement_export_holds_what_the_list_shows_with_where_each_notice_shows(client, auth, town):
    from tests.xlsx_helpers import sheet_rows

    assert post(client, auth, town.admin).status_code == 201
    assert post(client, auth, town.east_worker, community=town.east, title_zh="=1+1").status_code == 201
    assert post(client, auth, town.west_worker, community=town.west, title_zh="西楼村的事").status_code == 201
    headers = {**auth(town.east_worker), "Accept-Language": "zh-CN"}
    listed = titles(client.get(URL, headers=headers))
    header, rows = sheet_rows(client.get(URL + "/export.xlsx", headers=headers))
    assert header[:3] == ["编号", "范围", "标题"]
    assert [row["标题"] for row in rows] == listed == ["=1+1", "停水通知"]  # west's notice is not the east worker's
    assert {row["标题"]: row["范围"] for row in rows} == {"=1+1": "东楼村", "停水通知": "全区"}
    header, rows = sheet_rows(client.get(URL + "/export.xlsx?state=withdrawn", headers=auth(town.admin)))
    assert rows == []
    assert_problem(client.get(URL + "/export.xlsx?state=lost", headers=auth(town.admin)), 422)
    assert client.get(URL + "/export.xlsx", headers=auth(town.east_resident)).status_code == 403
