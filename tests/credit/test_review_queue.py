"""The reviewer's queue (GET /records?status=pending) names each record's resident."""


def test_review_queue_names_the_resident_of_each_pending_record(client, auth, village, make_item, log_record):
    item = make_item("neighbour_help", 2)
    log_record(village.worker, village.alice, item)
    log_record(village.worker, village.carol, item)
    queue = client.get("/api/v1/records?status=pending", headers=auth(village.reviewer2)).get_json()["items"]
    assert sorted((r["resident_name"], r["resident_id"]) for r in queue) == \
        sorted([("王秀英", village.alice.id), ("李桂兰", village.carol.id)])
    # staff of another community see neither the records nor the names
    other = client.get("/api/v1/records?status=pending", headers=auth(village.outsider_worker)).get_json()["items"]
    assert other == []
