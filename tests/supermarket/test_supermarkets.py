from backend.extensions import db
from backend.supermarket.service import supermarket_serves
from tests.fixtures import assert_problem


def test_admin_opens_a_town_supermarket_serving_several_villages(client, make_staff, make_community, login):
    host, neighbour = make_community(), make_community()
    admin = login(make_staff(district_admin=True))
    response = client.post("/api/v1/supermarkets", headers=admin, json={
        "community_id": host.id, "served_community_ids": [neighbour.id],
        "name_zh": "米山镇爱心超市", "name_en": "Mishan Town Love Supermarket", "address": "米山路1号"})
    assert response.status_code == 201, response.get_json()
    shop = response.get_json()
    assert shop["served_community_ids"] == sorted([host.id, neighbour.id]) and shop["active"] is True
    assert supermarket_serves(host.district_id, shop["id"], neighbour.id)


def test_supermarket_serves_only_its_communities_and_only_while_open(make_community, make_supermarket):
    host, other = make_community(), make_community()
    shop = make_supermarket(host)
    assert supermarket_serves(host.district_id, shop.id, host.id)
    assert not supermarket_serves(host.district_id, shop.id, other.id)
    assert not supermarket_serves(host.district_id + 1, shop.id, host.id)
    assert not supermarket_serves(host.district_id, shop.id + 99, host.id)
    shop.active = False
    db.session.commit()
    assert not supermarket_serves(host.district_id, shop.id, host.id)


def test_worker_cannot_open_a_supermarket(client, make_staff, community, login):
    worker = login(make_staff(worker=[community]))
    response = client.post("/api/v1/supermarkets", headers=worker, json={
        "community_id": community.id, "name_zh": "超市", "name_en": "Shop"})
    assert_problem(response, 403, "role_required")


def test_supermarket_of_unknown_community_is_refused(client, make_staff, make_district, make_community, login):
    foreign = make_community(dist=make_district())
    admin = login(make_staff(district_admin=True))
    response = client.post("/api/v1/supermarkets", headers=admin, json={
        "community_id": foreign.id, "name_zh": "超市", "name_en": "Shop"})
    assert_problem(response, 422, "validation_failed")


def test_staff_see_only_supermarkets_serving_their_communities(client, make_staff, make_community,
                                                                make_supermarket, login):
    mine, theirs = make_community(), make_community()
    my_shop, their_shop = make_supermarket(mine), make_supermarket(theirs)
    worker = login(make_staff(worker=[mine]))
    listed = client.get("/api/v1/supermarkets", headers=worker).get_json()
    assert [s["id"] for s in listed["items"]] == [my_shop.id]
    assert_problem(client.get(f"/api/v1/supermarkets/{their_shop.id}", headers=worker), 404, "supermarket_not_found")


def test_closed_supermarket_and_served_communities_are_updated_by_admin(client, make_staff, make_community,
                                                                        make_supermarket, login):
    host, extra = make_community(), make_community()
    shop = make_supermarket(host)
    admin = login(make_staff(district_admin=True))
    response = client.patch(f"/api/v1/supermarkets/{shop.id}", headers=admin,
                            json={"served_community_ids": [extra.id], "active": False})
    body = response.get_json()
    assert response.status_code == 200 and body["active"] is False
    # the shop's own community is always served
    assert body["served_community_ids"] == sorted([host.id, extra.id])


def test_kiosk_is_registered_only_for_a_supermarket_serving_its_community(client, make_staff, make_community,
                                                                          make_supermarket, login):
    village, elsewhere = make_community(), make_community()
    shop = make_supermarket(village)
    admin = login(make_staff(district_admin=True))
    good = client.post("/api/v1/devices", headers=admin, json={
        "name": "西楼村自助终端", "community_id": village.id, "supermarket_id": shop.id})
    assert good.status_code == 201 and good.get_json()["supermarket_id"] == shop.id
    bad = client.post("/api/v1/devices", headers=admin, json={
        "name": "别处终端", "community_id": elsewhere.id, "supermarket_id": shop.id})
    assert_problem(bad, 422, "validation_failed")
    unknown = client.post("/api/v1/devices", headers=admin, json={
        "name": "别处终端", "community_id": village.id, "supermarket_id": shop.id + 100})
    assert_problem(unknown, 422, "validation_failed")
