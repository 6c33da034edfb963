"""District reports: scope, months, rankings, XLSX, and points that reconcile with the ledger."""
import io
import json
from datetime import timedelta

import openpyxl
import pytest

from backend.common.time import utcnow
from backend.credit.models import CreditSubject
from backend.extensions import db
from backend.ledger import service as ledger
from backend.ledger.models import Transfer
from backend.reports import service as reports
from tests.fixtures import assert_problem


@pytest.fixture
def district_with_points(community, make_community, make_resident, make_staff):
    """Two villages; points awarded last month and this month, some spent, expired and reversed."""
    other = make_community()
    alice, bob, carol = make_resident(community), make_resident(community, name="李四"), make_resident(other, name="王五")
    accounts = {r.id: ledger.ensure_account(r.district_id, "resident", r.id) for r in (alice, bob, carol)}
    shop = ledger.ensure_account(community.district_id, "supermarket", 1)
    sink = ledger.ensure_account(community.district_id, "expiry", community.district_id)
    last_month = utcnow().replace(day=1) - timedelta(days=3)

    def award(resident, amount, key, at=None):
        fund = ledger.ensure_account(resident.district_id, "community_fund", resident.community_id)
        moved = ledger.transfer(fund, accounts[resident.id], amount, kind="credit_award", key=key)
        if at:
            moved.created_at = at
        return moved

    award(alice, 30, "a1", last_month)
    award(bob, 20, "b1", last_month)
    award(carol, 50, "c1", last_month)
    first = award(alice, 10, "a2")
    ledger.transfer(accounts[alice.id], shop, 25, kind="redemption", key="order:1")
    ledger.transfer(shop, accounts[alice.id], 5, kind="redemption_refund", key="order:1:refund")
    ledger.transfer(accounts[bob.id], sink, 20, kind="expiry", key="expiry:b")
    ledger.reverse(first, key="a2:rev")
    db.session.commit()
    return {"village": community, "other": other, "alice": alice, "bob": bob, "carol": carol,
            "admin": make_staff(district_admin=True), "worker": make_staff(worker=[community]),
            "last_month": f"{last_month:%Y-%m}", "this_month": f"{utcnow():%Y-%m}"}


def test_points_report_reconciles_exactly_with_ledger_balances(client, auth, district_with_points):
    d = district_with_points
    body = client.get(f"/api/v1/reports/points?from={d['last_month']}&to={d['this_month']}",
                      headers=auth(d["admin"])).get_json()
    before, now = body["months"]
    assert before["opening"] == 0 and before["issued"] == 100 and before["closing"] == 100
    assert now["opening"] == 100
    assert (now["issued"], now["spent"], now["refunded"], now["expired"], now["reversed_out"]) == (10, 25, 5, 20, 10)
    # the report's closing balance is what the ledger's balances hold, and the ledger agrees with itself
    assert body["outstanding"] == now["closing"] == reports.ledger_totals(d["village"].district_id) == 60
    assert ledger.check_balances() == []
    # per village, the parts add up to the whole
    parts = [client.get(f"/api/v1/reports/points?community_id={c.id}&from={d['last_month']}",
                        headers=auth(d["admin"])).get_json()["outstanding"] for c in (d["village"], d["other"])]
    assert sum(parts) == body["outstanding"] and parts == [10, 50]
    # the sum of issued points equals the ledger's awards, month by month
    awarded = db.session.query(db.func.sum(Transfer.amount)).filter(Transfer.kind == "credit_award").scalar()
    assert before["issued"] + now["issued"] == awarded


def test_reports_stay_within_the_viewers_communities(client, auth, district_with_points):
    d = district_with_points
    mine = client.get("/api/v1/reports/villages", headers=auth(d["worker"])).get_json()
    assert [v["community_id"] for v in mine["villages"]] == [d["village"].id]
    assert_problem(client.get(f"/api/v1/reports/points?community_id={d['other'].id}", headers=auth(d["worker"])),
                   404, "scope_not_found")
    assert client.get("/api/v1/reports/points", headers=auth(d["worker"])).get_json()["outstanding"] == 10
    assert_problem(client.get("/api/v1/reports/points"), 401)
    assert_problem(client.get("/api/v1/reports/points", headers=auth(d["alice"])), 403)


@pytest.mark.parametrize("query, field", [("from=2026-13", "from"), ("to=26-01", "to"),
                                           ("from=2026-05&to=2026-01", "from"), ("from=2020-01&to=2026-01", "from"),
                                           ("community_id=9223372036854775808", "community_id")])
def test_report_months_and_ids_are_validated(client, auth, district_with_points, query, field):
    body = assert_problem(client.get(f"/api/v1/reports/points?{query}", headers=auth(district_with_points["admin"])),
                          422)
    assert field in body["errors"]


def test_villages_are_ranked_by_average_score_with_residents_by_star(client, auth, district_with_points):
    d = district_with_points
    # carol's village is far ahead; alice has one final good deed worth a star more than bob
    for resident, delta in ((d["alice"], 60), (d["carol"], 300)):
        db.session.add(CreditSubject(district_id=resident.district_id, subject_type="resident",
                                     resident_id=resident.id, score_delta=delta))
    db.session.commit()
    body = client.get("/api/v1/reports/villages", headers=auth(d["admin"])).get_json()
    first, second = body["villages"]
    assert (first["community_id"], first["rank"], second["community_id"], second["rank"]) == (
        d["other"].id, 1, d["village"].id, 2)
    assert second["residents"] == 2 and sum(second["stars"]) == 2
    thresholds = body["star_thresholds"]
    base = first["average_score"] - 300
    expected = sum(1 for t in thresholds if base + 300 >= t)
    assert first["stars"][expected] == 1
    assert second["average_score"] == base + 30


def test_report_downloads_open_as_xlsx_with_the_same_numbers(zh_client, auth, district_with_points, make_household,
                                                             make_resident):
    client = zh_client  # no Accept-Language: headers in Chinese, the default
    d = district_with_points
    household = make_household(d["village"], name="=HYPERLINK(\"http://x\")")
    make_resident(d["village"], household=household, name="赵六")
    admin = auth(d["admin"])
    data = client.get(f"/api/v1/reports/points.xlsx?from={d['last_month']}", headers=admin)
    assert data.status_code == 200 and data.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(data.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("月份", "期初", "发放")
    assert rows[-1][-1] == 60
    english = client.get("/api/v1/reports/households.xlsx", headers={**admin, "Accept-Language": "en"})
    cells = list(openpyxl.load_workbook(io.BytesIO(english.data)).active.iter_rows())
    assert cells[0][2].value == "Name"
    # a name that looks like a formula stays text
    name_cell = next(row[2] for row in cells[1:] if row[2].value.startswith("="))
    assert name_cell.data_type == "s"


def test_a_kept_report_answer_goes_gzipped_to_a_client_that_accepts_gzip_and_plain_to_one_that_does_not(
        app, client, auth, district_with_points, monkeypatch):
    """Kept answers: the same JSON either way; compressed (once, when kept) only for a client that says it
    accepts gzip, and the answer varies by Accept-Encoding so no cache in between mixes them up."""
    import gzip

    from backend.reports import cache

    d = district_with_points
    monkeypatch.setitem(app.config, "REPORT_CACHE_SECONDS", 20)
    cache._answers.clear()
    plain = client.get("/api/v1/reports/villages", headers=auth(d["admin"]))
    zipped = client.get("/api/v1/reports/villages", headers={**auth(d["admin"]), "Accept-Encoding": "gzip, deflate, br"})
    refused = client.get("/api/v1/reports/villages", headers={**auth(d["admin"]), "Accept-Encoding": "gzip;q=0"})
    assert plain.status_code == zipped.status_code == refused.status_code == 200
    assert "Content-Encoding" not in plain.headers and "Content-Encoding" not in refused.headers
    assert zipped.headers["Content-Encoding"] == "gzip" and zipped.headers["Content-Type"] == "application/json"
    assert json.loads(gzip.decompress(zipped.data)) == plain.get_json() == refused.get_json()
    assert plain.get_json()["villages"]  # a real answer, not an empty one
    assert "Accept-Encoding" in plain.headers["Vary"] and "Accept-Encoding" in zipped.headers["Vary"]
    cache._answers.clear()


def test_a_report_answer_is_kept_per_scope_for_report_cache_seconds_then_computed_again(
        app, client, auth, district_with_points, monkeypatch):
    """REPORT_CACHE_SECONDS: within the window the same viewer scope gets the kept answer (with its Age);
    another scope gets its own; after the window the report counts what happened meanwhile."""
    from backend.reports import cache

    d = district_with_points
    clock = [1000.0]
    monkeypatch.setattr(cache.time, "monotonic", lambda: clock[0])
    monkeypatch.setitem(app.config, "REPORT_CACHE_SECONDS", 20)
    cache._answers.clear()
    first = client.get("/api/v1/reports/points", headers=auth(d["admin"]))
    assert first.get_json()["outstanding"] == 60 and first.headers["Age"] == "0"
    ledger.transfer(ledger.ensure_account(d["alice"].district_id, "community_fund", d["village"].id),
                    ledger.ensure_account(d["alice"].district_id, "resident", d["alice"].id), 7,
                    kind="credit_award", key="a3")
    db.session.commit()
    clock[0] += 19
    kept = client.get("/api/v1/reports/points", headers=auth(d["admin"]))
    assert kept.get_json() == first.get_json() and kept.headers["Age"] == "19"
    # a worker of one village has a scope of their own: never the district's kept answer
    assert client.get("/api/v1/reports/points", headers=auth(d["worker"])).get_json()["outstanding"] == 17
    # other filters are another question
    assert client.get(f"/api/v1/reports/points?community_id={d['other'].id}",
                      headers=auth(d["admin"])).get_json()["outstanding"] == 50
    clock[0] += 1
    fresh = client.get("/api/v1/reports/points", headers=auth(d["admin"]))
    assert fresh.get_json()["outstanding"] == 67 and fresh.headers["Age"] == "0"
    # refusals are never kept
    assert_problem(client.get(f"/api/v1/reports/points?community_id={d['other'].id}", headers=auth(d["worker"])),
                   404, "scope_not_found")
    cache._answers.clear()
