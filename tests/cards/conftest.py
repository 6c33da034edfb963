"""Fixtures for card tests: a worker, a resident with a printed card, an approved merchant with its door card."""
from types import SimpleNamespace

import pytest

from tests.merchants.factories import card_of, ensure_merchant_items


@pytest.fixture
def holders(app, district, community, make_community, make_staff, make_resident, make_merchant, login):
    ensure_merchant_items(district)
    resident = make_resident(community, name="李秀英", phone="13911112222")
    merchant = make_merchant(name="清泉洗浴中心", category="bathhouse")
    worker = make_staff(worker=[community])
    return SimpleNamespace(
        district=district, community=community, other_community=make_community(), resident=resident,
        merchant=merchant, worker=worker, admin=make_staff(district_admin=True),
        resident_card=card_of("resident", resident), merchant_card=card_of("merchant", merchant),
        worker_headers=login(worker),
    )
