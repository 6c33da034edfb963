from backend.credit.service import HOME_RECORDS


def test_home_shows_standing_and_only_the_newest_twenty_records(client, village, make_item, log_record, auth):
    item = make_item("village_cleanup", 5)
    created = [log_record(village.worker, village.alice, item).get_json()["id"] for _ in range(HOME_RECORDS + 3)]
    log_record(village.worker, village.bob, item)
    home = client.get("/api/v1/me/home", headers=auth(village.alice))
    assert home.status_code == 200
    body = home.get_json()
    assert [r["id"] for r in body["records"]] == list(reversed(created))[:HOME_RECORDS]
    assert all(r["status"] == "pending" for r in body["records"])
    # pending records count nothing yet
    assert body["score"] == 100 and body["points"] == 0 and body["stars"] == 2
    assert body["next_star"] == 3 and body["score_to_next_star"] == 10


def test_home_is_for_residents_only(client, village, auth):
    response = client.get("/api/v1/me/home", headers=auth(village.worker))
    assert response.status_code == 403
