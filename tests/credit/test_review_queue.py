"""The review queue (GET /records?status=pending) as the staff console shows it."""


def test_review_queue_names_each_records_resident_for_staff_of_the_community(client, auth, village, make_item,
                                                                             log_record):
    item = make_item()
    for resident in (village.alice, village.carol):
        assert log_record(village.worker, resident, item).status_code == 201
    queue = client.get("/api/v1/records?status=pending", headers=auth(village.reviewer2)).get_json()
    assert sorted(row["resident_name"] for row in queue["items"]) == ["李桂兰", "王秀英"]
    # staff of another village see none of them
    other = client.get("/api/v1/records?status=pending", headers=auth(village.outsider_worker)).get_json()
    assert other["items"] == [] and other["total"] == 0
