"""The catalogue: inheritance and overrides, versions with effective dates, who may edit, the seed."""
from datetime import date, timedelta

from backend.common.time import utcnow
from backend.credit import catalogue
from backend.credit.models import CatalogueItem, CreditRecord
from backend.common.calendar import local_date
from backend.extensions import db
from backend.org.models import Community
from seed.credit import DISTRICT_ITEMS, MERCHANT_ITEMS, seed_catalogue
from tests.fixtures import assert_problem


def _codes(page):
    return {(row["code"], row["scope"]): row for row in page["items"]}


def test_community_inherits_district_and_town_items_and_overrides_by_code(client, auth, village, make_item):
    town_id = db.session.get(Community, village.community.id).town_id
    make_item("village_cleanup", 2)
    make_item("reservoir_patrol", 3, scope="town", town_id=town_id)
    override = make_item("village_cleanup", 5, scope="community", community=village.community)
    make_item("orchard_watch", 2, scope="community", community=village.other)
    page = client.get(f"/api/v1/catalogue/items?community_id={village.community.id}&per_page=100",
                      headers=auth(village.worker)).get_json()
    found = _codes(page)
    assert set(found) == {("village_cleanup", "community"), ("reservoir_patrol", "town")}
    assert found[("village_cleanup", "community")]["points"] == 5
    assert catalogue.find_item("village_cleanup", district_id=village.community.district_id,
                               community_id=village.community.id).id == override.id
    other = _codes(client.get(f"/api/v1/catalogue/items?community_id={village.other.id}",
                              headers=auth(village.outsider_worker)).get_json())
    assert ("village_cleanup", "district") in other and ("orchard_watch", "community") in other


def test_overridden_district_item_cannot_be_used_in_that_community(village, make_item, log_record):
    district_item = make_item("village_cleanup", 2)
    override = make_item("village_cleanup", 5, scope="community", community=village.community)
    body = assert_problem(log_record(village.worker, village.alice, district_item), 422, "item_overridden")
    assert str(override.id) in body["detail"]
    assert log_record(village.worker, village.alice, override).get_json()["points"] == 5


def test_record_is_scored_under_the_version_in_force_on_the_day_of_the_deed(client, auth, village, make_item,
                                                                          log_record):
    item = make_item("neighbour_help", 2, effective_from=date(2020, 1, 1))
    early = log_record(village.worker, village.alice, item, occurred_at=utcnow() - timedelta(days=3)).get_json()
    today = local_date(utcnow())
    # the reviewer raises it to 4 from tomorrow, then to 6 from the day after
    for points, start in ((4, today + timedelta(days=1)), (6, today + timedelta(days=2))):
        response = client.put(f"/api/v1/catalogue/items/{item.id}",
                              json={"points": points, "effective_from": start.isoformat()},
                              headers=auth(village.admin))
        assert response.status_code == 200, response.get_json()
    detail = client.get(f"/api/v1/catalogue/items/{item.id}", headers=auth(village.worker)).get_json()
    assert [(v["version"], v["points"]) for v in detail["versions"]] == [(1, 2), (2, 4), (3, 6)]
    assert detail["points"] == 2  # still the version in force today
    # editing never changed the record already logged, and a new deed of today is scored under today's version
    assert db.session.get(CreditRecord, early["id"]).points == 2
    assert log_record(village.worker, village.bob, item).get_json()["points"] == 2
    # a deed before the item existed cannot be logged
    old = make_item("tree_planting", 2, effective_from=today)
    assert_problem(log_record(village.worker, village.alice, old, occurred_at=utcnow() - timedelta(days=2)), 422,
                   "item_not_in_force")


def test_new_version_cannot_take_effect_in_the_past(client, auth, village, make_item):
    item = make_item("neighbour_help", 2)
    response = client.put(f"/api/v1/catalogue/items/{item.id}",
                          json={"points": 9, "effective_from": (local_date(utcnow()) - timedelta(days=1)).isoformat()},
                          headers=auth(village.admin))
    assert_problem(response, 422, "effective_in_past")
    assert len(db.session.get(CatalogueItem, item.id).versions) == 1


def test_deactivated_item_cannot_be_logged(client, auth, village, make_item, log_record):
    item = make_item("neighbour_help", 2)
    client.put(f"/api/v1/catalogue/items/{item.id}", json={"active": False}, headers=auth(village.admin))
    assert_problem(log_record(village.worker, village.alice, item, occurred_at=utcnow()), 422, "item_inactive")
    # deeds before the change are still scored under the old version
    yesterday = utcnow() - timedelta(days=1, hours=1)
    assert log_record(village.worker, village.alice, item, occurred_at=yesterday).status_code == 201


def test_reviewer_edits_own_village_items_but_not_district_or_other_villages(client, auth, village, make_item):
    district_item = make_item("neighbour_help", 2)
    headers = auth(village.reviewer2)
    created = client.post("/api/v1/catalogue/items", json={
        "code": "orchard_watch", "scope": "community", "community_id": village.community.id,
        "title_zh": "看护村集体果园", "title_en": "Watching over the village orchard", "category": "public_good",
        "points": 2, "cap_count": 4, "cap_period": "month"}, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["cap_period"] == "month" and created.get_json()["version"] == 1
    assert_problem(client.put(f"/api/v1/catalogue/items/{district_item.id}", json={"points": 3}, headers=headers),
                   403, "role_required")
    assert_problem(client.post("/api/v1/catalogue/items", json={
        "code": "x_item", "scope": "community", "community_id": village.other.id, "title_zh": "x", "title_en": "x",
        "category": "civility", "points": 1}, headers=headers), 403, "out_of_scope")
    assert_problem(client.post("/api/v1/catalogue/items", json={
        "code": "orchard_watch", "scope": "community", "community_id": village.community.id, "title_zh": "x",
        "title_en": "x", "category": "civility", "points": 1}, headers=headers), 409, "code_taken")


def test_negative_items_need_a_severity_and_caps_need_both_parts(client, auth, village):
    headers = auth(village.admin)
    base = {"code": "littering", "scope": "district", "title_zh": "乱扔垃圾", "title_en": "Littering",
            "category": "environment"}
    no_severity = assert_problem(client.post("/api/v1/catalogue/items", json={**base, "points": -2}, headers=headers),
                                 422, "invalid_item")
    assert "severity" in no_severity["errors"]
    half_cap = assert_problem(client.post("/api/v1/catalogue/items", json={**base, "points": 2, "cap_count": 3},
                                          headers=headers), 422, "invalid_item")
    assert "cap_count" in half_cap["errors"]


def test_resident_sees_the_active_items_of_their_community(client, auth, village, make_item):
    make_item("neighbour_help", 2, title_zh="邻里互助", title_en="Helping neighbours")
    make_item("orchard_watch", 2, scope="community", community=village.other)
    page = client.get("/api/v1/catalogue/items", headers=auth(village.alice)).get_json()
    assert [(row["code"], row["title_zh"], row["title_en"]) for row in page["items"]] == [
        ("neighbour_help", "邻里互助", "Helping neighbours")]
    categories = client.get("/api/v1/catalogue/categories", headers=auth(village.alice)).get_json()
    assert {"code": "volunteering", "name_zh": "志愿服务", "name_en": "Volunteering"} in categories


def test_seed_catalogue_is_realistic_bilingual_and_idempotent(app, district):
    created = seed_catalogue(district.id)
    db.session.commit()
    assert created == len(DISTRICT_ITEMS) + len(MERCHANT_ITEMS) >= 40
    assert seed_catalogue(district.id) == 0
    items = db.session.query(CatalogueItem).all()
    codes = {item.code for item in items}
    assert {"return_lost_property", "village_cleanup", "checkpoint_duty", "illegal_parking", "fire_lane_blocked",
            "frontage_duties_neglected", "volunteer_service", "merchant_discount_given", "merchant_good_rating",
            "merchant_bad_rating"} <= codes
    versions = [item.versions[0] for item in items]
    assert all(v.title_zh and v.title_en and v.title_zh != v.title_en for v in versions)
    assert {v.category for v in versions} <= set(catalogue.CATEGORIES)
    assert any(v.points < 0 and v.severity == "serious" for v in versions)
    assert any(v.cap_count for v in versions)
    volunteer = catalogue.find_item("volunteer_service", district_id=district.id)
    assert volunteer.versions[0].variable_points
