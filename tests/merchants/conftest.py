"""Fixtures for the merchant alliance: an approved merchant with staff, items and residents with stars."""
from types import SimpleNamespace

import pytest

from tests.merchants.factories import card_of, ensure_merchant_items, give_stars


@pytest.fixture
def alliance(app, district, community, make_merchant, make_staff, make_resident, login):
    """An approved merchant with a door card and one staff account, a district admin and a 4★ resident."""
    ensure_merchant_items(district)
    merchant = make_merchant()
    staff = make_staff(merchant=merchant)
    admin = make_staff(district_admin=True)
    resident = make_resident(community, name="张三明", phone="13812345678")
    give_stars(resident, 4)
    return SimpleNamespace(
        district=district, community=community, merchant=merchant, staff=staff, admin=admin, resident=resident,
        card=card_of("merchant", merchant), staff_headers=login(staff), admin_headers=login(admin),
    )
