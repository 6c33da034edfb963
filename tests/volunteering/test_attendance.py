"""Check-in and check-out on site: scans, edge cases, forgotten check-outs and corrections."""
import csv
import io
from datetime import timedelta

from backend.audit.models import AuditLog
from backend.cards import service as cards
from backend.extensions import db
from backend.volunteering.models import VolunteerParticipation
from tests.fixtures import assert_problem
from tests.volunteering.conftest import iso


def _signed_up(vol, login, activity, resident=None):
    resident = resident or vol.resident()
    start = vol.clock()
    vol.clock.set(activity["start"] - timedelta(hours=1))
    assert vol.post(f"/activities/{activity['id']}/sign-up", login(resident)).status_code == 200
    vol.clock.set(start)
    return resident


def _part(resident):
    return db.session.query(VolunteerParticipation).filter_by(resident_id=resident.id).one()


def test_check_in_and_out_record_server_times(vol, login):
    activity = vol.started()
    resident = _signed_up(vol, login, activity)
    code = vol.code(resident)
    vol.clock.advance(minutes=3)
    answer = vol.check_in(activity["id"], code).get_json()
    assert answer["outcome"] == "checked_in" and answer["message_zh"] == "签到成功"
    assert answer["participation"]["resident_name"] == resident.name
    assert answer["participation"]["checked_in_at"] == iso(activity["start"] + timedelta(minutes=3))
    on_site = vol.get(f"/activities/{activity['id']}/participants", on_site="true").get_json()
    assert on_site["total"] == 1 and on_site["items"][0]["resident_id"] == resident.id
    vol.clock.advance(hours=1)
    out = vol.check_out(activity["id"], code).get_json()
    assert out["outcome"] == "checked_out"
    assert out["participation"]["checked_out_at"] == iso(activity["start"] + timedelta(hours=1, minutes=3))
    assert vol.get(f"/activities/{activity['id']}/participants", on_site="true").get_json()["total"] == 0


def test_double_scans_are_harmless_and_say_so(vol, login):
    activity = vol.started()
    resident = _signed_up(vol, login, activity)
    code = vol.code(resident)
    vol.check_in(activity["id"], code)
    first_in = _part(resident).checked_in_at
    vol.clock.advance(minutes=10)
    again = vol.check_in(activity["id"], code)
    assert again.status_code == 200 and again.get_json()["outcome"] == "already_checked_in"
    assert again.get_json()["message_en"] == "Already checked in; nothing changed."
    assert _part(resident).checked_in_at == first_in
    vol.clock.advance(minutes=50)
    vol.check_out(activity["id"], code)
    first_out = _part(resident).checked_out_at
    vol.clock.advance(minutes=5)
    again = vol.check_out(activity["id"], code)
    assert again.status_code == 200 and again.get_json()["outcome"] == "already_checked_out"
    assert _part(resident).checked_out_at == first_out
    # checking in after checking out is not a double scan: refused, times need a correction
    assert_problem(vol.check_in(activity["id"], code), 409, "already_checked_out")


def test_check_out_before_check_in_is_refused(vol, login):
    activity = vol.started()
    resident = _signed_up(vol, login, activity)
    assert_problem(vol.check_out(activity["id"], vol.code(resident)), 409, "wrong_activity_state")  # still open
    other = _signed_up(vol, login, activity)
    vol.check_in(activity["id"], vol.code(other))  # now it runs
    assert_problem(vol.check_out(activity["id"], vol.code(resident)), 409, "not_checked_in")
    assert _part(resident).checked_out_at is None


def test_phone_code_works_for_both_scans_and_is_not_spent(vol, login):
    activity = vol.started()
    resident = _signed_up(vol, login, activity)
    code = vol.phone_code(resident)
    assert vol.check_in(activity["id"], code).get_json()["outcome"] == "checked_in"
    vol.clock.advance(minutes=30)
    assert vol.check_out(activity["id"], code).get_json()["outcome"] == "checked_out"


def test_typed_card_number_checks_in(vol, login):
    activity = vol.started()
    resident = _signed_up(vol, login, activity)
    number = vol.card(resident).number
    response = vol.post(f"/activities/{activity['id']}/check-in", card_number=f" {number.lower()} ")
    assert response.get_json()["outcome"] == "checked_in"
    assert_problem(vol.post(f"/activities/{activity['id']}/check-in", card_number="R9999999-1"), 404,
                   "card_not_found")
    assert_problem(vol.post(f"/activities/{activity['id']}/check-in"), 422)
    assert_problem(vol.post(f"/activities/{activity['id']}/check-in", card_number=number, code="abc"), 422)


def test_unknown_forged_and_revoked_codes_are_refused(vol, login):
    activity = vol.started()
    resident = _signed_up(vol, login, activity)
    old_card = vol.card(resident)
    old_code = cards.card_url(old_card)
    vol.card(resident)  # reissued: the old card is revoked
    assert_problem(vol.check_in(activity["id"], old_code), 410, "card_revoked")
    assert_problem(vol.post(f"/activities/{activity['id']}/check-in", card_number=old_card.number), 410,
                   "card_revoked")
    assert_problem(vol.check_in(activity["id"], "https://credit.example.cn/c/not-a-token"), 400, "invalid_code")
    forged = vol.code(resident)[:-4] + "AAAA"
    assert_problem(vol.check_in(activity["id"], forged), 400, "invalid_code")
    assert _part(resident).checked_in_at is None


def test_merchant_card_is_the_wrong_kind_of_code(vol, login, make_merchant):
    activity = vol.started()
    _signed_up(vol, login, activity)
    merchant = make_merchant()
    card = cards.issue_card(merchant.district_id, "merchant", merchant.id)
    db.session.commit()
    assert_problem(vol.check_in(activity["id"], cards.card_url(card)), 422, "wrong_code_kind")
    assert_problem(vol.post(f"/activities/{activity['id']}/check-in", card_number=card.number), 422,
                   "wrong_code_kind")


def test_another_communitys_resident_cannot_check_in(vol):
    activity = vol.started()
    stranger = vol.resident(vol.c3)
    assert_problem(vol.check_in(activity["id"], vol.code(stranger), walk_in=True), 422, "wrong_community")
    assert db.session.query(VolunteerParticipation).count() == 0


def test_not_signed_up_is_refused_unless_added_as_walk_in(vol, login):
    activity = vol.started(capacity=1)
    walker = vol.resident()
    code = vol.code(walker)
    assert_problem(vol.check_in(activity["id"], code), 409, "not_signed_up")
    answer = vol.check_in(activity["id"], code, walk_in=True).get_json()
    assert answer["outcome"] == "checked_in" and answer["participation"]["source"] == "walk_in"
    late = vol.resident()
    assert_problem(vol.check_in(activity["id"], vol.code(late), walk_in=True), 409, "activity_full")
    assert db.session.query(VolunteerParticipation).count() == 1


def test_waiting_list_resident_cannot_check_in(vol, login):
    activity = vol.started(capacity=1)
    _signed_up(vol, login, activity)
    waiting = _signed_up(vol, login, activity)
    assert_problem(vol.check_in(activity["id"], vol.code(waiting)), 409, "on_waiting_list")
    assert_problem(vol.check_in(activity["id"], vol.code(waiting), walk_in=True), 409, "activity_full")
    assert _part(waiting).status == "waiting"


def test_check_in_outside_the_activity_time_is_refused(vol, login):
    activity = vol.started()
    resident = _signed_up(vol, login, activity)
    code = vol.code(resident)
    vol.clock.set(activity["start"] - timedelta(minutes=61))
    assert_problem(vol.check_in(activity["id"], code), 422, "outside_activity_time")
    vol.clock.set(activity["start"] + timedelta(hours=2, minutes=1))
    assert_problem(vol.check_in(activity["id"], code), 422, "outside_activity_time")
    vol.clock.set(activity["start"] - timedelta(minutes=30))  # early arrivals may be scanned
    assert vol.check_in(activity["id"], code).get_json()["outcome"] == "checked_in"


def test_check_out_after_the_end_counts_until_the_end(vol, login):
    activity = vol.started()
    resident = _signed_up(vol, login, activity)
    vol.check_in(activity["id"], vol.code(resident))
    vol.clock.set(activity["start"] + timedelta(hours=2, minutes=20))
    assert vol.check_out(activity["id"], vol.code(resident)).get_json()["outcome"] == "checked_out"
    part = _part(resident)
    assert part.checked_out_at == activity["start"] + timedelta(hours=2) and not part.checkout_forgotten


def test_check_in_at_an_overlapping_activity_is_refused(vol, login):
    first = vol.started(community_ids=[vol.c1.id])
    resident = _signed_up(vol, login, first)
    second = vol.started(community_ids=[vol.c1.id], title_zh="敬老院帮厨", title_en="Kitchen help")
    vol.check_in(first["id"], vol.code(resident))
    answer = vol.check_in(second["id"], vol.code(resident), walk_in=True)
    assert_problem(answer, 409, "attending_elsewhere")
    # nothing half-written: the walk-in that would have been added is gone too
    assert db.session.query(VolunteerParticipation).filter_by(activity_id=second["id"]).count() == 0
    vol.clock.advance(minutes=40)
    vol.check_out(first["id"], vol.code(resident))
    vol.clock.advance(minutes=1)
    assert vol.check_in(second["id"], vol.code(resident), walk_in=True).get_json()["outcome"] == "checked_in"


def test_closing_checks_out_the_forgotten_at_the_end_and_flags_them(vol, login):
    activity = vol.started()
    left, forgot = _signed_up(vol, login, activity), _signed_up(vol, login, activity)
    vol.check_in(activity["id"], vol.code(left))
    vol.check_in(activity["id"], vol.code(forgot))
    vol.clock.advance(hours=1)
    vol.check_out(activity["id"], vol.code(left))
    vol.clock.set(activity["start"] + timedelta(hours=2, minutes=30))
    vol.post(f"/activities/{activity['id']}/close")
    assert _part(forgot).checked_out_at == activity["start"] + timedelta(hours=2)
    assert _part(forgot).checkout_forgotten and not _part(left).checkout_forgotten
    listed = vol.get(f"/activities/{activity['id']}/participants").get_json()["items"]
    assert {p["resident_id"]: p["checkout_forgotten"] for p in listed} == {left.id: False, forgot.id: True}


def test_organiser_corrects_a_time_with_a_reason_in_the_audit_log(vol, login):
    activity = vol.started()
    resident = _signed_up(vol, login, activity)
    vol.clock.advance(minutes=40)
    vol.check_in(activity["id"], vol.code(resident))
    part = _part(resident)
    path = f"/api/v1/volunteering/activities/{activity['id']}/participants/{part.id}/times"
    patch = lambda **body: vol.client.patch(path, json=body, headers=vol.org)  # noqa: E731
    assert_problem(patch(checked_in_at=iso(activity["start"])), 422)  # no reason
    assert_problem(patch(reason="忘记扫码"), 422)  # no time
    assert_problem(patch(checked_in_at=iso(activity["start"] - timedelta(hours=2)), reason="x"), 422,
                   "outside_activity_time")
    assert_problem(patch(checked_in_at=iso(vol.clock() + timedelta(minutes=5)), reason="x"), 422,
                   "outside_activity_time")
    fixed = patch(checked_in_at=iso(activity["start"]), reason="到场时扫码枪没电 Scanner was flat")
    assert fixed.status_code == 200 and fixed.get_json()["time_corrected"] is True
    assert fixed.get_json()["checked_in_at"] == iso(activity["start"])
    entry = db.session.query(AuditLog).filter_by(action="volunteering.time_correct").one()
    assert entry.reason == "到场时扫码枪没电 Scanner was flat"
    assert entry.before["checked_in_at"] == (activity["start"] + timedelta(minutes=40)).isoformat()
    assert entry.after["checked_in_at"] == activity["start"].isoformat()
    vol.clock.advance(minutes=30)
    assert_problem(patch(checked_out_at=iso(activity["start"] - timedelta(minutes=5)), reason="x"), 422)


def test_correction_cannot_create_an_overlap_with_another_activity(vol, login):
    first = vol.started()
    resident = _signed_up(vol, login, first)
    second = vol.started(title_zh="第二个活动", title_en="Second")
    vol.check_in(first["id"], vol.code(resident))
    vol.clock.advance(minutes=30)
    vol.check_out(first["id"], vol.code(resident))
    vol.clock.advance(minutes=1)
    vol.check_in(second["id"], vol.code(resident), walk_in=True)
    part = db.session.query(VolunteerParticipation).filter_by(activity_id=first["id"]).one()
    vol.clock.advance(minutes=30)
    response = vol.client.patch(
        f"/api/v1/volunteering/activities/{first['id']}/participants/{part.id}/times",
        json={"checked_out_at": iso(vol.clock() - timedelta(minutes=5)), "reason": "晚走了"}, headers=vol.org)
    assert_problem(response, 409, "attending_elsewhere")


def test_attendance_sheet_csv_lists_everyone_with_a_place(vol, login):
    activity = vol.started()
    came = _signed_up(vol, login, activity, vol.resident(name="王秀英"))
    absent = _signed_up(vol, login, activity, vol.resident(name="李建国"))
    vol.check_in(activity["id"], vol.code(came))
    vol.clock.advance(hours=1, minutes=5)
    vol.check_out(activity["id"], vol.code(came))
    response = vol.get(f"/activities/{activity['id']}/attendance.csv", vol.rev)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][1] == "姓名 Name" and len(rows) == 3
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name[came.name][9] == "60" and by_name[came.name][5] != ""
    assert by_name[absent.name][5] == "" and by_name[absent.name][9] == ""
    assert_problem(vol.get(f"/activities/{activity['id']}/attendance.csv", vol.out), 404)


def test_attendance_csv_neutralises_names_that_would_start_a_formula(vol, login):
    activity = vol.started()
    names = ['=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "王秀英"]
    for name in names:
        _signed_up(vol, login, activity, vol.resident(name=name))
    response = vol.get(f"/activities/{activity['id']}/attendance.csv", vol.rev)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    written = {row[1] for row in rows[1:]}
    assert written == {"'" + name for name in names[:-1]} | {"王秀英"}
    assert all(row[0].isdigit() for row in rows[1:])  # numbers stay numbers


def test_scans_into_an_activity_under_way_keep_its_scope_and_its_villages(vol, login):
    # after the first scan the process knows the activity is under way and which villages it serves:
    # later scans still refuse an organiser of another village and a resident of a village not taking part
    activity = vol.started()
    first, second = _signed_up(vol, login, activity), _signed_up(vol, login, activity)
    vol.clock.advance(minutes=3)
    assert vol.check_in(activity["id"], vol.code(first)).get_json()["outcome"] == "checked_in"
    assert_problem(vol.check_in(activity["id"], vol.code(second), vol.out), 404, "activity_not_found")
    stranger = vol.resident(vol.c3)
    assert_problem(vol.check_in(activity["id"], vol.code(stranger)), 422, "wrong_community")
    answer = vol.check_in(activity["id"], vol.code(second))
    assert answer.status_code == 200 and answer.get_json()["outcome"] == "checked_in"
    assert _part(second).checked_in_at is not None
