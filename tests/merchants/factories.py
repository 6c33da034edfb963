"""Builders for card and alliance tests (plain functions; the conftests wrap them as fixtures)."""
from backend.cards import service as cards
from backend.credit import catalogue
from backend.credit import service as credit
from backend.extensions import db
from seed.credit import CATALOGUE_FROM, MERCHANT_ITEMS


#: the alliance's catalogue items, as the credit domain's demo catalogue defines them
ALLIANCE_ITEMS = ("merchant_discount_given", "merchant_good_rating", "merchant_bad_rating")


def ensure_merchant_items(district):
    """Create the alliance's merchant items from the credit seed's rows, through the credit service."""
    for code, zh, en, category, points, cap, evidence, severity, variable in MERCHANT_ITEMS:
        if code not in ALLIANCE_ITEMS or catalogue.find_item(code, district_id=district.id) is not None:
            continue
        catalogue.create_item(None, {
            "district_id": district.id, "scope": "district", "subject_type": "merchant", "code": code,
            "title_zh": zh, "title_en": en, "category": category, "points": points,
            "cap_count": cap[0] if cap else None, "cap_period": cap[1] if cap else None,
            "evidence_required": evidence, "severity": severity, "variable_points": variable,
            "effective_from": CATALOGUE_FROM,
        }, actor="test")
    db.session.commit()


def item_points(district, code):
    """Points of a catalogue item now (the tests follow the catalogue instead of copying it)."""
    return catalogue.latest_version(catalogue.find_item(code, district_id=district.id)).points


def give_stars(resident, stars):
    """Raise the resident's score to the threshold of ``stars`` through a final system record."""
    policy = credit.district_policy(resident.district_id)
    current = credit.resident_standing(resident.id)
    if current["stars"] >= stars:
        return current
    needed = policy.star_thresholds[stars - 1] - current["score"]
    code = f"test_boost_{resident.id}_{stars}"
    catalogue.create_item(None, {"district_id": resident.district_id, "scope": "district", "code": code,
                                 "title_zh": "测试加分", "title_en": "Test boost", "category": "honesty",
                                 "points": needed}, actor="system")
    credit.record_system_credit(district_id=resident.district_id, subject_type="resident",
                                subject_id=resident.id, item_code=code, source_ref=f"test:{code}")
    db.session.commit()
    standing = credit.resident_standing(resident.id)
    assert standing["stars"] == stars, standing
    return standing


def dynamic_code(resident):
    return cards.issue_dynamic_code(resident)["token"]


def card_of(kind, subject):
    card = cards.ensure_card(subject.district_id, kind, subject.id)
    db.session.commit()
    return card
