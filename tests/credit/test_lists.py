"""Red and black lists (红黑名单), staff and public versions."""
import pytest

from backend.common.time import utcnow
from backend.credit import service
from backend.credit.models import CreditRecord
from backend.credit.scoring import finalise
from backend.extensions import db
from tests.credit.conftest import principal_of
from tests.fixtures import assert_problem


@pytest.fixture
def scored(village, make_item):
    """alice and bob (one household) reach five stars; carol has a serious record; stranger a minor one."""
    big = make_item("brave_deed", 60, category="public_safety")
    serious = make_item("court_defaulter", -50, severity="serious", category="honesty")
    minor = make_item("littering", -2)
    worker = principal_of(village.worker)
    outsider = principal_of(village.outsider_worker)

    def final(actor, resident, item):
        record = service.create_record(actor, resident.id, item.id, utcnow())
        finalise(record)

    final(worker, village.alice, big)
    final(worker, village.bob, big)
    final(worker, village.carol, serious)
    final(outsider, village.stranger, minor)
    db.session.commit()
    return village


def test_red_list_of_residents_and_households(client, auth, scored):
    headers = auth(scored.reviewer2)
    residents = client.get(f"/api/v1/red-list?community_id={scored.community.id}", headers=headers).get_json()
    assert {(row["name"], row["stars"], row["score"]) for row in residents["items"]} == {
        ("王秀英", 5, 160), ("王建国", 5, 160)}
    households = client.get("/api/v1/red-list?kind=household", headers=headers).get_json()
    assert [(row["household_id"], row["name"], row["members"], row["stars"]) for row in households["items"]] == [
        (scored.household.id, "王家", 2, 5)]


def test_household_average_below_top_level_is_not_red(client, auth, scored, make_resident):
    make_resident(scored.community, name="王小明", household=scored.household)  # 100: the average drops to 140
    households = client.get("/api/v1/red-list?kind=household", headers=auth(scored.admin)).get_json()
    assert households["items"] == []


def test_black_list_holds_serious_final_records_only(client, auth, scored):
    page = client.get("/api/v1/black-list", headers=auth(scored.admin)).get_json()
    assert [(row["name"], row["serious_count"]) for row in page["items"]] == [("李桂兰", 1)]
    # staff of another community do not see this village's list
    theirs = client.get("/api/v1/black-list", headers=auth(scored.outsider_worker)).get_json()
    assert theirs["items"] == []
    assert_problem(client.get(f"/api/v1/black-list?community_id={scored.community.id}",
                              headers=auth(scored.outsider_worker)), 404)


def test_public_lists_show_masked_names_only(client, scored):
    red = client.get(f"/api/v1/public/red-list?district_id={scored.community.district_id}")
    assert red.status_code == 200
    body = red.get_json()
    assert sorted(row["masked_name"] for row in body["items"]) == ["王*国", "王*英"]
    assert all(set(row) <= {"masked_name", "community_name_zh", "community_name_en", "stars", "members"}
               for row in body["items"])
    assert "王秀英" not in red.get_data(as_text=True)
    black = client.get(f"/api/v1/public/black-list?community_id={scored.community.id}").get_json()
    assert [row["masked_name"] for row in black["items"]] == ["李*兰"]
    households = client.get(f"/api/v1/public/red-list?kind=household&community_id={scored.community.id}").get_json()
    assert [row["masked_name"] for row in households["items"]] == ["王*"]
    assert_problem(client.get("/api/v1/public/red-list"), 422)
    assert_problem(client.get("/api/v1/public/red-list?community_id=9999"), 404, "community_not_found")


def test_upheld_objection_on_a_final_serious_record_takes_the_resident_off_the_black_list(client, auth, scored):
    record_id = db.session.query(CreditRecord.id).filter_by(resident_id=scored.carol.id).scalar()
    objection = client.post("/api/v1/objections", json={"record_id": record_id, "reason": "法院已撤销执行"},
                            headers=auth(scored.carol))
    assert objection.status_code == 201 and objection.get_json()["against_final"] is True
    upheld = client.post(f"/api/v1/objections/{objection.get_json()['id']}/uphold", json={"reason": "已核实撤销"},
                         headers=auth(scored.reviewer2))
    assert upheld.status_code == 200
    assert client.get("/api/v1/black-list", headers=auth(scored.admin)).get_json()["items"] == []
    assert service.resident_standing(scored.carol.id)["score"] == 100
