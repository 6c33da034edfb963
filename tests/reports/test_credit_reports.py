"""信用报告: issued at the subject's request, numbered per district, verifiable by QR, logged as a look-up."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.cards import tokens
from backend.common.calendar import local_date
from backend.common.time import utcnow
from backend.credit import scoring, service
from backend.credit.models import RepairRequest
from backend.extensions import db
from backend.residents.models import ResidentLookup
from tests.common.pdf_text import pdf_text
from tests.credit.conftest import principal_of
from tests.fixtures import assert_problem

PURPOSE = "本人申请，用于贷款"


@pytest.fixture
def scored(village, make_item):
    """alice: +60 (brave deed) and −2 (littering, since repaired) this year; bob: +60; carol: a serious −50;
    a +5 of alice's three years ago lies outside a one-year report."""
    big = make_item("brave_deed", 60, category="public_safety", title_zh="见义勇为", title_en="Brave deed")
    minor = make_item("littering", -2, title_zh="乱扔垃圾", title_en="Littering")
    serious = make_item("court_defaulter", -50, severity="serious", category="honesty")
    old = make_item("old_cleanup", 5, title_zh="清扫街道", title_en="Street cleaning")
    worker = principal_of(village.worker)
    now = utcnow()

    def final(resident, item, at):
        record = service.create_record(worker, resident.id, item.id, at)
        scoring.finalise(record)
        return record

    final(village.alice, big, now - timedelta(days=20))
    littering = final(village.alice, minor, now - timedelta(days=10))
    final(village.bob, big, now - timedelta(days=5))
    final(village.carol, serious, now - timedelta(days=5))
    # the old record: occurred long ago (backdated in the database: the API refuses old dates)
    old_record = final(village.alice, old, now - timedelta(days=2))
    old_record.occurred_at = now - timedelta(days=3 * 365)
    repair = RepairRequest(district_id=village.alice.district_id, community_id=village.community.id,
                           record_id=littering.id, resident_id=village.alice.id, commitment="以后不再乱扔",
                           status="approved", decided_at=now - timedelta(days=1), created_at=now - timedelta(days=2))
    db.session.add(repair)
    scoring.repair(littering)
    db.session.commit()
    return village


def issue(client, auth, who, **body):
    return client.post("/api/v1/credit-reports", json={"purpose": PURPOSE, **body}, headers=auth(who))


def test_credit_report_pdf_names_the_resident_number_score_records_and_totals(client, auth, scored):
    response = issue(client, auth, scored.worker, resident_id=scored.alice.id)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    year = local_date(utcnow()).year
    assert body["number"] == f"XY{year}-000001"
    assert body["verify_url"].startswith("http") and "/r/" in body["verify_url"]
    assert body["pdf_url"] == f"/api/v1/credit-reports/{body['id']}.pdf"
    # 100 base + 60 + 5 (the old record still counts for the score) − 2 repaired back = 165
    assert (body["score"], body["purpose"], body["requested_by"]) == (165, PURPOSE, "王秀英")
    assert body["totals"] == {"good_records": 1, "bad_records": 1, "points_added": 60, "points_deducted": 2,
                              "repaired_records": 1, "repairs_approved": 1}
    text, pages = pdf_text(client.get(body["pdf_url"], headers=auth(scored.worker)), "credit-report.pdf")
    flat = text.replace(" ", "")
    assert pages >= 1 and "信用报告" in flat and "王秀英" in flat and body["number"] in flat
    assert "165" in flat and "见义勇为" in flat and "乱扔垃圾" in flat and "已修复" in flat
    assert "+60/−2" in flat and PURPOSE in flat
    assert "清扫街道" not in flat  # three years ago: outside the default one-year period
    assert "王建国" not in flat  # bob's records are his own


def test_household_report_lists_members_and_their_average(client, auth, scored):
    body = issue(client, auth, scored.reviewer2, household_id=scored.household.id, requested_by="王建国").get_json()
    assert body["subject_type"] == "household" and body["name"] == "王家"
    assert body["score"] == round((165 + 160) / 2)
    text, _pages = pdf_text(client.get(body["pdf_url"], headers=auth(scored.reviewer2)), "credit-report-household.pdf")
    flat = text.replace(" ", "")
    assert "王秀英" in flat and "王建国" in flat and "李桂兰" not in flat and body["number"] in flat
    assert "+120/−2" in flat
    # each member's archive shows the look-up, at issue and again when the PDF is read
    looked_up = db.session.execute(select(ResidentLookup.resident_id).where(ResidentLookup.what == "credit_report")
                                   ).scalars().all()
    assert sorted(looked_up) == sorted([scored.alice.id, scored.bob.id] * 2)
    # it shows every member, so it is no member's to download from the phone
    assert_problem(client.get(body["pdf_url"], headers=auth(scored.alice)), 404)


def test_issue_is_logged_as_a_look_up_and_in_the_audit_log(client, auth, scored):
    body = issue(client, auth, scored.reviewer2, resident_id=scored.carol.id).get_json()
    lookup = db.session.execute(select(ResidentLookup).where(ResidentLookup.resident_id == scored.carol.id)
                                ).scalar_one()
    assert (lookup.what, lookup.actor) == ("credit_report", f"staff:{scored.reviewer2.id}")
    audit = db.session.execute(select(AuditLog).where(AuditLog.action == "reports.credit_report_issue")).scalar_one()
    assert audit.target_id == str(body["id"]) and audit.after["number"] == body["number"]
    assert audit.after["purpose"] == PURPOSE
    # carol reads it in her own look-up log
    mine = client.get("/api/v1/residents/me/lookups", headers=auth(scored.carol)).get_json()
    assert [item["what"] for item in mine["items"]] == ["credit_report"]
    # her serious record puts her on the black list, and the report says so
    assert client.get(f"/r/{body['verify_url'].rsplit('/', 1)[1]}",
                      headers={"Accept": "application/json"}).get_json()["black_list"] is True


def test_numbers_are_unique_and_sequential_per_district(client, auth, scored, make_district, make_community,
                                                        make_resident, make_staff):
    year = local_date(utcnow()).year
    numbers = [issue(client, auth, scored.worker, resident_id=r.id).get_json()["number"]
               for r in (scored.alice, scored.bob, scored.alice)]
    assert numbers == [f"XY{year}-000001", f"XY{year}-000002", f"XY{year}-000003"]
    other_district = make_district()
    elsewhere = make_resident(make_community(dist=other_district), name="孙丽")
    admin = make_staff(district_admin=True, dist=other_district)
    assert issue(client, auth, admin, resident_id=elsewhere.id).get_json()["number"] == f"XY{year}-000001"
    assert issue(client, auth, scored.admin, resident_id=scored.carol.id).get_json()["number"] == f"XY{year}-000004"


def test_verify_page_shows_a_genuine_report_with_the_name_masked(client, auth, scored):
    body = issue(client, auth, scored.worker, resident_id=scored.alice.id).get_json()
    token = body["verify_url"].rsplit("/", 1)[1]
    page = client.get(f"/r/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "真实有效" in html and body["number"] in html
    assert "王*英" in html and "王秀英" not in html and "165" in html
    as_json = client.get(f"/r/{token}", headers={"Accept": "application/json"}).get_json()
    assert as_json["valid"] is True and as_json["masked_name"] == "王*英"
    assert (as_json["number"], as_json["score"], as_json["totals"]["points_added"]) == (body["number"], 165, 60)
    assert "name" not in as_json and "id_last4" not in as_json


def test_verify_shows_the_numbers_as_issued_not_as_they_are_now(client, auth, scored, make_item):
    body = issue(client, auth, scored.worker, resident_id=scored.alice.id).get_json()
    record = service.create_record(principal_of(scored.worker), scored.alice.id,
                                   make_item("extra", 10).id, utcnow() - timedelta(hours=1))
    scoring.finalise(record)
    db.session.commit()
    as_json = client.get(f"/r/{body['verify_url'].rsplit('/', 1)[1]}", headers={"Accept": "application/json"})
    assert as_json.get_json()["score"] == 165


def test_forged_unknown_or_wrong_kind_codes_do_not_verify(client, auth, scored):
    body = issue(client, auth, scored.worker, resident_id=scored.alice.id).get_json()
    token = body["verify_url"].rsplit("/", 1)[1]
    forged = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    unknown = tokens.sign(tokens.KIND_CREDIT_REPORT, 999999, nonce="0011223344556677")
    wrong_nonce = tokens.sign(tokens.KIND_CREDIT_REPORT, body["id"], nonce="0011223344556677")
    certificate = tokens.sign(tokens.KIND_CERTIFICATE, body["id"])
    for bad in (forged, unknown, wrong_nonce, certificate, "not-a-token"):
        page = client.get(f"/r/{bad}")
        assert page.status_code == 404 and "报告无效" in page.get_data(as_text=True)
        assert_problem(client.get(f"/r/{bad}", headers={"Accept": "application/json"}), 404,
                       "credit_report_not_found")
    # and a credit report's code is no certificate
    assert client.get(f"/v/{token}").status_code == 404


def test_a_report_of_another_district_verifies_as_that_districts(client, auth, scored, make_district,
                                                               make_community, make_resident, make_staff):
    mine = issue(client, auth, scored.worker, resident_id=scored.alice.id).get_json()
    other_district = make_district(name_zh="荣成市", name_en="Rongcheng")
    elsewhere = make_resident(make_community(dist=other_district), name="孙丽")
    theirs = issue(client, auth, make_staff(district_admin=True, dist=other_district), resident_id=elsewhere.id
                   ).get_json()
    assert theirs["number"] == mine["number"]  # counted per district: the same number, another report
    seen = client.get(f"/r/{theirs['verify_url'].rsplit('/', 1)[1]}", headers={"Accept": "application/json"})
    assert (seen.get_json()["district_en"], seen.get_json()["masked_name"]) == ("Rongcheng", "孙*")
    # staff of one district never reach the other's report by id
    assert_problem(client.get(theirs["pdf_url"], headers=auth(scored.admin)), 404)


def test_staff_out_of_scope_get_404_for_issue_pdf_and_list(client, auth, scored):
    assert_problem(issue(client, auth, scored.outsider_worker, resident_id=scored.alice.id), 404)
    assert_problem(issue(client, auth, scored.outsider_worker, household_id=scored.household.id), 404)
    body = issue(client, auth, scored.worker, resident_id=scored.alice.id).get_json()
    assert_problem(client.get(body["pdf_url"], headers=auth(scored.outsider_worker)), 404)
    assert client.get("/api/v1/credit-reports", headers=auth(scored.outsider_worker)).get_json()["total"] == 0
    listed = client.get("/api/v1/credit-reports", headers=auth(scored.reviewer2)).get_json()
    assert [item["number"] for item in listed["items"]] == [body["number"]]
    # another resident cannot read alice's report either
    assert_problem(client.get(body["pdf_url"], headers=auth(scored.carol)), 404)
    # nothing was written for the refused look-ups
    assert db.session.execute(select(ResidentLookup.actor).where(
        ResidentLookup.actor == f"staff:{scored.outsider_worker.id}")).all() == []


@pytest.mark.parametrize("body, field", [
    ({"purpose": ""}, "purpose"),
    ({"purpose": None}, "purpose"),
    ({"purpose": "   "}, "purpose"),
    ({}, "purpose"),
    ({"from": "2020-01-01", "to": "2024-01-01"}, "from"),
    ({"from": "2025-06-02", "to": "2025-06-01"}, "from"),
    ({"to": "2999-01-01"}, "to"),
    ({"from": "June"}, "from"),
])
def test_bad_input_is_refused_with_problem_json_and_nothing_written(client, auth, scored, body, field):
    payload = {"purpose": PURPOSE, "resident_id": scored.alice.id, **body}
    if body == {}:
        payload.pop("purpose")
    problem = assert_problem(client.post("/api/v1/credit-reports", json=payload, headers=auth(scored.worker)), 422)
    assert field in problem["errors"]
    assert client.get("/api/v1/credit-reports", headers=auth(scored.worker)).get_json()["total"] == 0
    assert db.session.execute(select(ResidentLookup)).all() == []


def test_subject_must_be_one_resident_or_one_household(client, auth, scored):
    for subject in ({}, {"resident_id": scored.alice.id, "household_id": scored.household.id}):
        assert_problem(issue(client, auth, scored.worker, **subject), 422, "invalid_subject")


def test_three_years_is_the_longest_period(client, auth, scored):
    today = local_date(utcnow())
    start = today - timedelta(days=3 * 365)
    body = issue(client, auth, scored.worker, resident_id=scored.alice.id, **{"from": start.isoformat()}).get_json()
    assert body["totals"]["points_added"] == 65  # now the old record is inside
    problem = assert_problem(issue(client, auth, scored.worker, resident_id=scored.alice.id,
                                   **{"from": (start - timedelta(days=1)).isoformat()}), 422, "invalid_period")
    assert problem["errors"]["from"]


def test_resident_issues_their_own_report_from_the_phone(client, auth, scored):
    response = client.post("/api/v1/me/credit-reports", json={"purpose": "用于求职"}, headers=auth(scored.alice))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["resident_id"], body["score"], body["issued_by"]) == (scored.alice.id, 165,
                                                                       f"resident:{scored.alice.id}")
    text, _pages = pdf_text(client.get(body["pdf_url"], headers=auth(scored.alice)), "credit-report-own.pdf")
    assert "王秀英" in text.replace(" ", "")
    mine = client.get("/api/v1/me/credit-reports", headers=auth(scored.alice)).get_json()
    assert [item["number"] for item in mine["items"]] == [body["number"]]
    assert client.get("/api/v1/me/credit-reports", headers=auth(scored.bob)).get_json()["total"] == 0
    # a resident names no one else: the subject is always themself
    other = client.post("/api/v1/me/credit-reports", json={"purpose": "用于求职", "resident_id": scored.bob.id},
                        headers=auth(scored.alice))
    assert_problem(other, 422)
    assert_problem(client.post("/api/v1/me/credit-reports", json={}, headers=auth(scored.alice)), 422)


def test_report_errors_read_in_chinese_by_default(app, auth, scored):
    from tests.fixtures import assert_chinese, assert_english, in_both_languages

    zh, en = in_both_languages(app, "POST", "/api/v1/credit-reports", headers=auth(scored.worker),
                               json={"purpose": PURPOSE, "resident_id": scored.alice.id,
                                     "from": "2025-06-02", "to": "2025-06-01"})
    assert_chinese(zh["title"], zh["detail"], *zh["errors"]["from"])
    assert_english(en["title"], en["detail"], *en["errors"]["from"])


def test_reports_issued_at_the_same_moment_take_consecutive_numbers(scored, auth):
    """Four desks issue at once (each its own app and connection): no number twice, none skipped."""
    import threading

    from backend.reports.models import CreditReport
    from tests.conftest import make_app

    headers = auth(scored.worker)
    residents = [scored.alice.id, scored.bob.id, scored.carol.id, scored.alice.id]
    db.session.remove()
    apps = [make_app() for _ in residents]
    barrier = threading.Barrier(len(residents))
    results = [None] * len(residents)

    def run(index):
        with apps[index].app_context():
            client = apps[index].test_client()
            barrier.wait(timeout=30)
            response = client.post("/api/v1/credit-reports", headers=headers,
                                   json={"purpose": PURPOSE, "resident_id": residents[index]})
            results[index] = (response.status_code, (response.get_json() or {}).get("number"))
            db.session.remove()
            db.engine.dispose()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(residents))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    year = local_date(utcnow()).year
    assert sorted(results) == [(201, f"XY{year}-{n:06d}") for n in range(1, len(residents) + 1)], results
    assert db.session.execute(select(CreditReport.seq).order_by(CreditReport.seq)).scalars().all() == [1, 2, 3, 4]
