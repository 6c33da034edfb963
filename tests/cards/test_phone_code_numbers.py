"""A phone code's typed number: the same single-use code as its token, opened only where a phone code is."""
import time

import pytest

from backend.cards import numbers, tokens
from backend.cards import service as cards
from tests.conftest import make_app


def _code(resident_id, ttl=75):
    expires, [(r, nonce)] = tokens.dynamic_candidates(resident_id, ttl, count=1)
    token, number = tokens.sign_dynamic(resident_id, expires, r, nonce)
    return token, number, expires


def _other_digit(number, index):
    return number[:index] + str((int(number[index]) + 1) % 10) + number[index + 1:]


def test_number_opens_to_the_same_payload_as_its_token(app):
    for resident_id in (1, 42, 9_999_999):
        token, number, expires = _code(resident_id)
        assert len(number) == 18 and number.isdigit()
        assert tokens.verify(number) == tokens.verify(token)
        payload = tokens.verify(number)
        assert (payload.kind_name, payload.subject_id, payload.expires) == ("dynamic", resident_id, expires)


def test_number_hides_the_resident_id(app):
    numbers_of_one = {_code(1234567)[1] for _ in range(20)}
    assert len(numbers_of_one) > 1  # the same resident reads out different numbers each time
    assert not any("1234567" in n[:7] for n in numbers_of_one)


def test_number_of_a_large_resident_id_grows_and_still_opens(app):
    token, number, _expires = _code(123_456_789)
    assert len(number) == 20
    assert tokens.verify(number) == tokens.verify(token)


def test_number_read_out_in_groups_with_spaces_or_dashes_or_full_width_digits_opens(app):
    token, number, _expires = _code(77)
    grouped = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for typed in (grouped, f"  {grouped}\n", "-".join(grouped.split()), full_width):
        assert tokens.verify(typed).nonce == tokens.verify(token).nonce


def test_number_with_a_wrong_mac_is_refused_as_forged(app):
    _token, number, _expires = _code(5)
    wrong_mac = number[:-6] + f"{(int(number[-6:]) + 1) % 10 ** 6:06d}"
    with pytest.raises(tokens.InvalidToken) as refused:
        tokens.verify(wrong_mac)
    assert refused.value.code == "invalid_code" and not isinstance(refused.value, tokens.ExpiredToken)


def test_number_with_any_digit_changed_is_refused(app):
    _token, number, _expires = _code(31)
    for index in range(len(number)):
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(_other_digit(number, index))
    for bad in (number[:-1], number + "0", "0" + number, number[1:]):
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(bad)


def test_number_expires_with_its_token(app):
    token, number, _expires = _code(9)
    tokens.verify(number, now=time.time() + 74)
    for later in (76, 300, 900):
        with pytest.raises(tokens.ExpiredToken):
            tokens.verify(number, now=time.time() + later)
    with pytest.raises(tokens.ExpiredToken):
        tokens.verify(token, now=time.time() + 76)


def test_number_older_than_its_expiry_window_is_refused(app):
    _token, number, _expires = _code(9)
    # the expiry is rebuilt from three digits: past that window the number no longer opens at all
    with pytest.raises(tokens.InvalidToken):
        tokens.verify(number, now=time.time() + 2000)


def test_number_is_never_accepted_as_a_card_certificate_or_report(app, make_resident, community):
    resident = make_resident(community)
    token, number, _expires = _code(resident.id)
    for kinds in ((tokens.KIND_RESIDENT_CARD,), (tokens.KIND_MERCHANT_CARD,), (tokens.KIND_CERTIFICATE,),
                  (tokens.KIND_CREDIT_REPORT,), (tokens.KIND_RESIDENT_CARD, tokens.KIND_MERCHANT_CARD)):
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(number, kinds=kinds)
    # where only cards are accepted the number is not even opened: it is no code there
    for kinds in (("resident_card",), ("merchant_card",), ("resident_card", "merchant_card")):
        with pytest.raises(tokens.UnreadableToken):
            cards.resolve(number, *kinds)
    assert cards.resolve(number, "dynamic", "resident_card").resident.id == resident.id


def test_public_page_does_not_open_a_number(app):
    token, number, _expires = _code(12)
    assert tokens.verify(token, typed=False).subject_id == 12
    with pytest.raises(tokens.UnreadableToken):
        tokens.verify(number, typed=False)


def test_short_digit_strings_and_card_numbers_are_not_numbers(app):
    assert numbers.clean("12345678901234567") is None  # 17 digits
    assert numbers.clean("R0000012-1") is None
    assert numbers.clean("1" * 33) is None
    assert numbers.clean("１２３４ ５６７８ ９０１２ ３４５６ ７８") == "123456789012345678"
    with pytest.raises(tokens.InvalidToken):
        tokens.verify("12345678901234567")


def _in_app(fn, **config):
    app = make_app(**config)
    with app.app_context():
        return fn()


def test_rotated_key_keeps_issued_numbers_valid_and_a_dropped_one_does_not():
    old, new = tokens.generate_signing_key(), tokens.generate_signing_key()
    issued_before = _in_app(lambda: _code(8)[1], TOKEN_SIGNING_KEYS=old)

    def during():
        assert tokens.verify(issued_before).kid == old.split(":")[0]
        assert tokens.verify(_code(8)[1]).kid == new.split(":")[0]

    _in_app(during, TOKEN_SIGNING_KEYS=f"{new},{old}")

    def dropped():
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(issued_before)

    _in_app(dropped, TOKEN_SIGNING_KEYS=new)


def test_a_code_asked_for_in_the_second_the_last_one_was_spent_is_never_that_spent_code(
        app, community, make_resident, monkeypatch):
    """Two codes of one resident issued in the same second share a nonce when they share the number's two
    random digits; the issuer takes the first candidate not yet spent, so a phone never gets a used code back."""
    from backend.cards.models import DynamicCodeUse
    from backend.extensions import db

    resident = make_resident(community)
    monkeypatch.setattr(tokens.time, "time", lambda: 1_900_000_000)  # every code below in the same second
    seen = set()
    for _ in range(30):  # with one random face per code, a repeat among 30 is all but certain (99 %)
        nonce = tokens.verify(cards.issue_my_dynamic_code(resident.id)["token"], now=1_900_000_000).nonce
        assert nonce not in seen, "a spent code was given again"
        seen.add(nonce)
        db.session.add(DynamicCodeUse(district_id=resident.district_id, resident_id=resident.id, nonce=nonce,
                                      purpose="discount"))
        db.session.flush()
