"""Factories for supermarket and kiosk tests: shops, stocked items, points, paired kiosks."""
import itertools

import pytest

from backend.cards import service as cards
from backend.devices import service as devices
from backend.devices.models import KioskDevice
from backend.extensions import db
from backend.ledger import service as ledger
from backend.supermarket import service as supermarket
from backend.supermarket.models import Supermarket, SupermarketCommunity, SupermarketItem

_seq = itertools.count(1)


@pytest.fixture
def make_supermarket(app):
    def make(community, *, served=(), name_zh=None, active=True):
        n = next(_seq)
        shop = Supermarket(district_id=community.district_id, community_id=community.id,
                           name_zh=name_zh or f"信用超市{n}", name_en=f"Credit supermarket {n}", active=active)
        shop.served = [SupermarketCommunity(community_id=c.id) for c in (community, *served)]
        db.session.add(shop)
        db.session.commit()
        return shop

    return make


@pytest.fixture
def make_item(app):
    """``make_item(shop, stock=10, price=20, limit=(2, "month"))``; stock arrives as a donor intake."""

    def make(shop, *, stock=10, price=20, limit=None, name_zh=None, name_en=None, category="grain_oil",
             low_stock_at=5, active=True):
        n = next(_seq)
        item = SupermarketItem(
            district_id=shop.district_id, supermarket_id=shop.id, name_zh=name_zh or f"大米{n}",
            name_en=name_en or f"Rice {n}", category=category, photo="/kiosk/img/rice.svg", price_points=price,
            stock=0, low_stock_at=low_stock_at, limit_quantity=limit[0] if limit else None,
            limit_period=limit[1] if limit else None, active=active,
        )
        db.session.add(item)
        db.session.flush()
        if stock:
            supermarket.move_stock(item, stock, "intake", actor="test", donor_name="米山镇人民政府",
                                   donor_kind="government")
        db.session.commit()
        return item

    return make


@pytest.fixture
def give_points(app):
    """Points for a resident from their community's fund, as an approved good deed would."""

    def give(resident, amount):
        fund = ledger.ensure_account(resident.district_id, "community_fund", resident.community_id)
        target = ledger.ensure_account(resident.district_id, "resident", resident.id)
        ledger.transfer(fund, target, amount, kind="credit_award", key=f"test:{next(_seq)}:award",
                        ref_type="test", actor="test")
        db.session.commit()

    return give


def balance(resident):
    db.session.expire_all()
    return ledger.balance_of("resident", resident.id)


def stock_of(item):
    db.session.expire_all()
    return db.session.get(SupermarketItem, item.id).stock


@pytest.fixture
def make_kiosk(app):
    """A registered and paired kiosk of ``shop``; returns ``(device, headers)``."""

    def make(shop, *, community=None):
        device = KioskDevice(district_id=shop.district_id,
                             community_id=community.id if community else shop.community_id,
                             supermarket_id=shop.id, name=f"自助终端{next(_seq)}")
        code = devices._new_pairing_code(device)
        db.session.add(device)
        db.session.flush()
        paired = devices.pair_device(code)
        db.session.commit()
        return device, {"Authorization": f"Bearer {paired['access_token']}"}

    return make


@pytest.fixture
def phone_code(app):
    """A fresh dynamic code as the resident's phone shows it (a URL)."""

    def make(resident):
        code = cards.issue_dynamic_code(resident)
        return code["url"]

    return make


@pytest.fixture
def printed_card(app):
    """The URL printed on a resident's static card."""

    def make(resident):
        card = cards.ensure_card(resident.district_id, "resident", resident.id)
        db.session.commit()
        return cards.card_url(card)

    return make


@pytest.fixture
def kiosk_login(client, phone_code):
    """Sign ``resident`` in at the kiosk with a phone code; returns kiosk-resident headers."""

    def do(kiosk_headers, resident):
        response = client.post("/api/v1/kiosk/sessions", headers=kiosk_headers, json={"code": phone_code(resident)})
        assert response.status_code == 201, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['access_token']}"}

    return do


@pytest.fixture
def shop_setup(make_community, make_supermarket, make_kiosk, make_resident, give_points):
    """One village shop with a paired kiosk and a resident holding 100 points."""

    class Setup:
        pass

    s = Setup()
    s.community = make_community()
    s.shop = make_supermarket(s.community)
    s.device, s.kiosk = make_kiosk(s.shop)
    s.resident = make_resident(s.community, pin="123456")
    give_points(s.resident, 100)
    return s


@pytest.fixture
def make_order(app):
    """``make_order(resident, shop, [(item, 2)])``: a redemption placed through the service."""

    def make(resident, shop, lines, *, key=None):
        order = supermarket.redeem_order(resident, shop.id, [{"item_id": i.id, "quantity": q} for i, q in lines],
                                         actor=f"kiosk_resident:{resident.id}", key=key)
        db.session.commit()
        return order

    return make
