"""A small district for announcements: two villages, their staff and residents, a kiosk."""
from types import SimpleNamespace

import pytest

from tests.credit.conftest import auth  # noqa: F401 — headers without a login round trip
from tests.supermarket.factories import make_kiosk, make_supermarket  # noqa: F401


@pytest.fixture
def town(app, district, make_community, make_staff, make_resident):
    east = make_community(name_zh="东楼村", name_en="Donglou Village")
    west = make_community(name_zh="西楼村", name_en="Xilou Village")
    return SimpleNamespace(
        east=east, west=west,
        admin=make_staff(district_admin=True),
        east_worker=make_staff(worker=[east]),
        east_reviewer=make_staff(reviewer=[east]),
        west_worker=make_staff(worker=[west]),
        east_resident=make_resident(east, name="王秀英"),
        west_resident=make_resident(west, name="李桂兰"),
    )
