"""On site, a volunteer whose phone screen the scanner cannot read checks in by the code's typed number."""
from backend.cards import service as cards
from tests.volunteering.test_attendance import _signed_up


def test_a_phone_codes_number_checks_a_volunteer_in_like_its_qr(vol, login):
    activity = vol.started()
    resident = _signed_up(vol, login, activity)
    number = cards.issue_dynamic_code(resident)["number"]
    vol.clock.advance(minutes=3)
    answer = vol.check_in(activity["id"], " ".join(number[i:i + 4] for i in range(0, 18, 4))).get_json()
    assert answer["outcome"] == "checked_in" and answer["participation"]["resident_id"] == resident.id
    vol.clock.advance(hours=1)
    assert vol.check_out(activity["id"], number).get_json()["outcome"] == "checked_out"
