"""Schema-driven fuzzing (schemathesis) of every operation in /api/openapi.json, as every role.

Each generated request is sent once per role (district admin, worker, reviewer, merchant,
resident, kiosk resident) and once anonymously; the answer must never be a server error, and it
must be one the document describes: a documented status, a documented content type, a body that
matches the documented schema (problem+json errors included). ``CHECKS`` is the one list of checks.

The bounded run here is part of the suite (``FUZZ_EXAMPLES`` per operation, fixed seed);
README.md gives the command for a longer run.
"""
import json
import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from backend.extensions import db, limiter

#: the checks every response must pass
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
#: generated requests per operation (each sent as every role); FUZZ_EXAMPLES=200 for a long run;
#: FUZZ_DUMP=<file> writes every failure there as JSON
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.fixture
def make_roles(app, client, make_district, make_community, make_staff, make_resident, make_merchant, login):
    """``make_roles()`` → Authorization headers for each role (None: anonymous), in a district of their own.

    Each operation gets fresh accounts: fuzzing sign-out, PIN or status changes must not leave
    the next operation testing only the 401 path.
    """
    from backend.cards import service as cards
    from backend.devices import service as devices
    from backend.devices.models import KioskDevice
    from backend.supermarket.models import Supermarket, SupermarketCommunity

    def make():
        limiter.enabled = False  # the fuzzer's own sign-in attempts spend the per-address budget
        try:
            district = make_district()
            village = make_community(dist=district)
            resident = make_resident(village, pin="123456")
            merchant = make_merchant(dist=district)
            shop = Supermarket(district_id=district.id, community_id=village.id, name_zh="信用超市",
                               name_en="Shop", active=True)
            shop.served = [SupermarketCommunity(community_id=village.id)]
            db.session.add(shop)
            db.session.flush()
            device = KioskDevice(district_id=district.id, community_id=village.id, supermarket_id=shop.id,
                                 name="终端")
            code = devices._new_pairing_code(device)
            db.session.add(device)
            db.session.flush()
            kiosk = {"Authorization": f"Bearer {devices.pair_device(code)['access_token']}"}
            db.session.commit()
            session = client.post("/api/v1/kiosk/sessions", headers=kiosk,
                                  json={"code": cards.issue_dynamic_code(resident)["token"]})
            assert session.status_code == 201, session.get_json()
            return {
                "admin": login(make_staff(district_admin=True, dist=district)),
                "worker": login(make_staff(worker=[village], dist=district)),
                "reviewer": login(make_staff(reviewer=[village], dist=district)),
                "merchant": login(make_staff(merchant=merchant, dist=district)),
                "resident": login(resident),
                "kiosk": kiosk,
                "kiosk_resident": {"Authorization": f"Bearer {session.get_json()['access_token']}"},
                "anonymous": None,
            }
        finally:
            limiter.enabled = True

    return make


def _strategy(operation):
    """Valid and invalid requests for one operation (invalid ones where the schema allows any)."""
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    try:
        return positive | operation.as_strategy(GenerationMode.NEGATIVE)
    except Exception:  # an operation with nothing to make invalid
        return positive


def test_every_operation_answers_every_role_without_server_error_and_as_documented(app, make_roles):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    failures, exercised, statuses = [], set(), Counter()

    for operation in operations:
        role_headers = make_roles()

        @settings(max_examples=FUZZ_EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        @given(case=_strategy(operation))
        def run(case):
            exercised.add(operation.label)
            for role, headers in role_headers.items():
                try:
                    response = case.call_and_validate(headers=headers or {}, checks=CHECKS)
                    statuses[response.status_code] += 1
                except (Exception, FailureGroup) as error:  # noqa: BLE001 — collect all, then report them
                    failures.append((operation.label, role, f"{case.method} {case.formatted_path} "
                                     f"query={case.query} body={str(case.body)[:200]}", str(error)[:600]))
                finally:
                    db.session.rollback()

        run()

    assert exercised == {op.label for op in operations}
    print(f"{len(operations)} operations, responses by status: {dict(sorted(statuses.items()))}")
    # the run reached past the door: requests were accepted and refused for their content
    assert statuses[200] and statuses[422] and statuses[404]
    if os.environ.get("FUZZ_DUMP"):  # every failure as JSON, to sort through a long run
        with open(os.environ["FUZZ_DUMP"], "w", encoding="utf-8") as out:
            json.dump(failures, out, ensure_ascii=False, indent=1)
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(" | ".join(f) for f in failures[:40])


def test_file_answers_carry_their_documented_content_type(app, make_staff, make_resident, make_merchant,
                                                          community, login):
    """PDF, XLSX, HTML, PNG, SVG: the files a fuzzer rarely reaches (it needs real ids) pass the same checks."""
    from backend.cards import service as cards

    admin = login(make_staff(district_admin=True))
    resident = make_resident(community)
    merchant = make_merchant()
    card = cards.ensure_card(community.district_id, "resident", resident.id)
    cards.ensure_card(community.district_id, "merchant", merchant.id)
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    calls = [
        ("/api/v1/cards/{card_id}/qr.png", {"card_id": card.id}, {}),
        ("/api/v1/cards/{card_id}/qr.svg", {"card_id": card.id}, {}),
        ("/api/v1/cards/print-sheet", {}, {"community_id": community.id}),
        ("/api/v1/merchants/{merchant_id}/poster.pdf", {"merchant_id": merchant.id}, {}),
        ("/api/v1/reports/points.xlsx", {}, {}),
        *((f"/api/v1/reports/{name}.xlsx", {}, {})
          for name in ("objections", "repairs", "volunteering", "supermarkets", "merchants")),
        ("/api/v1/residents/import-template", {}, {}),
        ("/api/v1/objections/export.xlsx", {}, {}),
        ("/api/v1/repairs/export.xlsx", {}, {}),
        ("/api/v1/red-list/export.xlsx", {}, {"kind": "household"}),
        ("/api/v1/black-list/export.xlsx", {}, {}),
        ("/api/v1/audit/export.xlsx", {}, {}),
        ("/api/v1/residents/lookups/export.xlsx", {}, {}),
        ("/api/v1/merchants/export.xlsx", {}, {"status": "approved"}),
        ("/api/v1/catalogue/items/export.xlsx", {}, {}),
        ("/api/v1/devices/export.xlsx", {}, {}),
        ("/api/v1/residents/export.xlsx", {}, {"community_id": community.id}),
        ("/api/v1/households/export.xlsx", {}, {}),
        ("/api/v1/staff/export.xlsx", {}, {}),
        ("/api/v1/cards/export.xlsx", {}, {"status": "active"}),
    ]
    for path, path_parameters, query in calls:
        case = schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
        response = case.call_and_validate(headers=admin, checks=CHECKS)
        assert response.status_code == 200, (path, response.text[:300])
        documented = schema.raw_schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert response.headers["content-type"][0].split(";")[0] in documented, path
