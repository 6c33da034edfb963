"""The organiser's phone on a poor signal: creating, publishing, starting and closing an activity
retried with the same Idempotency-Key replay the first answer instead of a second draft or a
"wrong state" refusal for a step that already happened."""
from sqlalchemy import func, select

from backend.extensions import db
from backend.volunteering.models import VolunteerActivity
from tests.fixtures import assert_problem


def _post(vol, path, key, **body):
    return vol.client.post(f"/api/v1/volunteering{path}", json=body, headers={**vol.org, "Idempotency-Key": key})


def test_a_retried_create_makes_one_draft(vol, clock):
    body = {"community_ids": [vol.c1.id], "item_id": vol.item.id, "title_zh": "清扫村道", "title_en": "Sweeping",
            "place": "村委会门口", "starts_at": "2099-01-01T01:00:00Z", "ends_at": "2099-01-01T03:00:00Z",
            "capacity": 5, "points_per_hour": 4}
    first = _post(vol, "/activities", "create-1", **body)
    again = _post(vol, "/activities", "create-1", **body)
    assert first.status_code == again.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]
    assert db.session.scalar(select(func.count()).select_from(VolunteerActivity)) == 1


def test_retried_publish_start_and_close_replay_instead_of_refusing(vol, clock):
    activity = vol.started(open_=False)
    path = f"/activities/{activity['id']}"
    for step, state in (("open", "open"), ("start", "running"), ("close", "closed")):
        first = _post(vol, f"{path}/{step}", f"{step}-1")
        again = _post(vol, f"{path}/{step}", f"{step}-1")
        assert first.status_code == again.status_code == 200, (step, again.get_json())
        assert again.headers.get("Idempotent-Replayed") == "true" and again.get_json()["status"] == state
    # a new key is a new request: publishing a closed activity is refused
    assert_problem(_post(vol, f"{path}/open", "open-2"), 409, "wrong_activity_state")
