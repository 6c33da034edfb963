"""Demo cards: a printed card for every demo resident and a door card for every approved merchant.

Idempotent: a holder with an active card keeps it.
"""
from backend.cards import service as cards


def seed(context):
    district = context["district"]
    before = {"resident": 0, "merchant": 0}
    for resident in context["residents"]:
        before["resident"] += cards.active_card("resident", resident.id) is None
        cards.ensure_card(district.id, "resident", resident.id)
    for merchant in context["merchants"]:
        if merchant.status in ("approved", "suspended"):
            before["merchant"] += cards.active_card("merchant", merchant.id) is None
            cards.ensure_card(district.id, "merchant", merchant.id)
    summary = context.get("summary", {})
    summary["resident_cards_issued"] = before["resident"]
    summary["merchant_cards_issued"] = before["merchant"]
    if context["merchants"]:
        summary["merchant_card_page"] = cards.card_url(cards.active_card("merchant", context["merchants"][0].id))
