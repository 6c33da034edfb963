"""Registering one resident in the console (1440×900, real Chromium): a worker fills the form, bad input is
refused at its field in the API's words with nothing written, then the resident is registered in one of the
worker's villages and their archive opens. The demo district is the data; screenshots are kept; axe checks."""
import pytest
from sqlalchemy import func, select

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.org.models import Community
from backend.residents.models import Resident
from tests.console.test_console_browser import (  # noqa: F401 — the fixtures of the console's browser tests
    api, assert_dialog_axe_clean, browser, console, live, table_rows, wait_idle,
)
from tests.console.test_console_people_browser import choose, field_error, in_db, options

pytestmark = pytest.mark.browser


def residents_named(name):
    return db.session.execute(select(func.count()).select_from(Resident).where(Resident.name == name)).scalar_one()


def test_worker_registers_one_resident_bad_input_is_refused_at_its_field_then_the_archive_opens(console, live):
    page, shots = console("worker1", path="/console/#/residents")
    page.wait_for_selector("[data-table=residents] tbody tr")
    wait_idle(page)
    page.click("[data-test=resident-new]")
    page.wait_for_selector("[data-test=reg-name]")
    assert sorted(options(page, "reg-village")) == ["东楼村", "西楼村"]  # only the worker's own villages
    page.keyboard.press("Escape")

    page.fill("[data-test=reg-name]", "孙秀兰")
    page.fill("[data-test=reg-born] input", "1958")
    page.fill("[data-test=reg-phone]", "139-0631")
    page.fill("[data-test=reg-id]", "37108119580101001X")  # a wrong check digit
    page.click("[data-test=reg-save]")
    page.wait_for_selector("[data-test=reg-error]")
    _status, shape = api(page, "POST", "/residents", {"name": "孙秀兰", "gender": "female", "birth_year": 1958,
                                                     "phone": "139-0631", "community_id": None})
    assert field_error(page, "reg-phone") == " ".join(shape["errors"]["phone"])
    assert field_error(page, "reg-village") == " ".join(shape["errors"]["community_id"])
    assert_dialog_axe_clean(page)
    shots("refused-at-the-fields")
    assert in_db(live, lambda: residents_named("孙秀兰")) == 0

    page.fill("[data-test=reg-phone]", "13906319958")
    choose(page, "reg-village", "东楼村")
    page.click("[data-test=reg-save]")
    page.wait_for_selector("[data-test=reg-error]")
    status, wrong_id = api(page, "POST", "/residents", {
        "name": "孙秀兰", "gender": "female", "birth_year": 1958, "phone": "13906319958",
        "community_id": in_db(live, lambda: db.session.execute(
            select(Community.id).where(Community.name_zh == "东楼村")).scalar_one()),
        "id_number": "37108119580101001X"})
    assert status == 422 and field_error(page, "reg-id") == " ".join(wrong_id["errors"]["id_number"])
    assert in_db(live, lambda: residents_named("孙秀兰")) == 0

    page.fill("[data-test=reg-id]", "")
    assert_dialog_axe_clean(page)
    shots("filled")
    page.click("[data-test=reg-save]")
    page.wait_for_selector("[data-test=archive-who]")
    page.wait_for_function("document.querySelector('[data-test=archive-who]').innerText.includes('孙秀兰')")
    with live.db():
        resident = db.session.execute(select(Resident).where(Resident.name == "孙秀兰")).scalar_one()
        village = db.session.get(Community, resident.community_id)
        assert (village.name_zh, resident.phone, resident.birth_year, resident.gender, resident.id_last4) == \
            ("东楼村", "13906319958", 1958, "female", None)
        assert db.session.execute(select(AuditLog).where(
            AuditLog.action == "resident.create", AuditLog.target_id == str(resident.id))).scalar_one()
    assert "东楼村" in page.inner_text("[data-test=archive-who]")
    assert table_rows(page, "residents")[0][1] == "孙秀兰"
    page.wait_for_selector("[data-test=archive-standing]")
    wait_idle(page)
    shots("registered-archive")
    assert not page.errors


def test_reviewer_has_no_button_to_register_a_resident(console):
    page, _shots = console("reviewer1", path="/console/#/residents")
    page.wait_for_selector("[data-table=residents] tbody tr")
    assert page.query_selector("[data-test=resident-new]") is None
