"""Card tokens: signing, offline verification, key rotation, tampering, truncation, expiry."""
import base64
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from backend.cards import tokens
from tests.conftest import make_app


def _flip(token, index):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    replacement = alphabet[(alphabet.index(token[index]) + 1) % len(alphabet)]
    return token[:index] + replacement + token[index + 1:]


def test_token_round_trips_kind_subject_and_nonce(app):
    token = tokens.sign(tokens.KIND_RESIDENT_CARD, 123456, nonce="00112233aabbccdd")
    payload = tokens.verify(token)
    assert (payload.kind_name, payload.subject_id, payload.nonce, payload.expires) == \
        ("resident_card", 123456, "00112233aabbccdd", 0)
    assert len(token) == tokens.TOKEN_LEN == 120


def test_scanners_accept_the_url_or_the_bare_token(app):
    token = tokens.sign(tokens.KIND_MERCHANT_CARD, 7)
    url = tokens.public_url(token)
    assert url == f"https://credit.example.cn/c/{token}"
    for scanned in (token, url, url + "/", f"  {url}\r\n", f"/c/{token}", f"credit.example.cn/c/{token}"):
        assert tokens.verify(scanned).subject_id == 7


def test_any_changed_character_is_refused(app):
    token = tokens.sign(tokens.KIND_DYNAMIC, 42, ttl=60)
    for index in range(len(token)):
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(_flip(token, index))


def test_garbage_is_refused_as_invalid_code(app):
    for garbage in ("", "   ", "hello", "https://credit.example.cn/c/", "https://[broken/c/x", "A" * 120,
                    "=" * 120, "!" * 120, "中" * 120, None, 12345):
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(garbage)


def test_truncated_or_extended_tokens_are_refused(app):
    token = tokens.sign(tokens.KIND_RESIDENT_CARD, 1)
    for bad in (token[:-1], token[:60], token + "A", token[1:]):
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(bad)


def test_dynamic_code_expires(app):
    token = tokens.sign(tokens.KIND_DYNAMIC, 9, ttl=75)
    assert tokens.verify(token).expires >= int(time.time()) + 74
    tokens.verify(token, now=time.time() + 74)
    with pytest.raises(tokens.ExpiredToken):
        tokens.verify(token, now=time.time() + 76)


def test_published_key_verifies_a_token_offline(app, client):
    token = tokens.sign(tokens.KIND_MERCHANT_CARD, 99)
    published = client.get("/api/v1/cards/keys").get_json()
    assert published["alg"] == "Ed25519" and published["token_length"] == 120
    data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    body, signature = data[:26], data[26:]
    kid = body[2:6].hex()
    key = next(k for k in published["keys"] if k["kid"] == kid)
    raw = base64.urlsafe_b64decode(key["public_key"] + "=" * (-len(key["public_key"]) % 4))
    Ed25519PublicKey.from_public_bytes(raw).verify(signature, body)  # raises if forged
    assert int.from_bytes(body[6:14], "big") == 99


def _in_app(fn, **config):
    app = make_app(**config)
    with app.app_context():
        return fn()


def test_rotated_key_keeps_old_tokens_valid_and_signs_new_ones():
    old, new = tokens.generate_signing_key(), tokens.generate_signing_key()
    old_kid, new_kid = old.split(":")[0], new.split(":")[0]
    issued_before = _in_app(lambda: tokens.sign(tokens.KIND_RESIDENT_CARD, 5), TOKEN_SIGNING_KEYS=old)

    # step 1 of a rotation: the new key signs, the old one is still listed and verifies
    def during():
        assert tokens.verify(issued_before).kid == old_kid
        fresh = tokens.sign(tokens.KIND_RESIDENT_CARD, 6)
        assert tokens.verify(fresh).kid == new_kid
        keys = {k["kid"]: k["signing"] for k in tokens.keyring().published()}
        assert keys == {new_kid: True, old_kid: False}
        return fresh

    issued_after = _in_app(during, TOKEN_SIGNING_KEYS=f"{new},{old}")

    # step 2: the old private key is gone; its public half still verifies what it signed
    def retired():
        assert tokens.verify(issued_before).subject_id == 5
        assert tokens.verify(issued_after).subject_id == 6

    _in_app(retired, TOKEN_SIGNING_KEYS=new, TOKEN_RETIRED_PUBLIC_KEYS=tokens.public_entry(old))

    # step 3: once the old key is dropped entirely, its tokens no longer verify
    def dropped():
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(issued_before)
        assert tokens.verify(issued_after).subject_id == 6

    _in_app(dropped, TOKEN_SIGNING_KEYS=new)


def test_token_signed_by_a_foreign_key_is_forged():
    foreign = _in_app(lambda: tokens.sign(tokens.KIND_RESIDENT_CARD, 5),
                      TOKEN_SIGNING_KEYS=tokens.generate_signing_key())

    def check():
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(foreign)

    _in_app(check, TOKEN_SIGNING_KEYS=tokens.generate_signing_key())


def test_token_with_a_known_kid_but_another_keys_signature_is_forged():
    mine, theirs = tokens.generate_signing_key(), tokens.generate_signing_key()
    forged_source = _in_app(lambda: tokens.sign(tokens.KIND_DYNAMIC, 1, ttl=60), TOKEN_SIGNING_KEYS=theirs)
    data = base64.urlsafe_b64decode(forged_source + "=" * (-len(forged_source) % 4))
    forged = bytearray(data)
    forged[2:6] = bytes.fromhex(mine.split(":")[0])  # claim to be signed by the real key
    text = base64.urlsafe_b64encode(bytes(forged)).rstrip(b"=").decode()

    def check():
        with pytest.raises(tokens.InvalidToken):
            tokens.verify(text)

    _in_app(check, TOKEN_SIGNING_KEYS=mine)


def test_certificate_tokens_verify_only_where_certificates_are_asked_for(app):
    certificate = tokens.sign(tokens.KIND_CERTIFICATE, 31, nonce="0011223344556677")
    assert len(certificate) == tokens.TOKEN_LEN
    payload = tokens.verify(certificate, kinds=(tokens.KIND_CERTIFICATE,))
    assert (payload.kind_name, payload.subject_id, payload.nonce, payload.expires) == \
        ("certificate", 31, "0011223344556677", 0)
    # a certificate never passes for a card at a till or a check-in, nor a card for a certificate
    with pytest.raises(tokens.WrongTokenKind) as refused:
        tokens.verify(certificate)
    assert isinstance(refused.value, tokens.InvalidToken) and refused.value.code == "invalid_code"
    for card_kind in tokens.CARD_KINDS:
        with pytest.raises(tokens.WrongTokenKind):
            tokens.verify(tokens.sign(card_kind, 31), kinds=(tokens.KIND_CERTIFICATE,))


def test_credit_report_tokens_are_neither_cards_nor_certificates(app):
    report = tokens.sign(tokens.KIND_CREDIT_REPORT, 7, nonce="8899aabbccddeeff")
    payload = tokens.verify(report, kinds=(tokens.KIND_CREDIT_REPORT,))
    assert (payload.kind_name, payload.subject_id, payload.nonce) == ("credit_report", 7, "8899aabbccddeeff")
    for kinds in (tokens.CARD_KINDS, (tokens.KIND_CERTIFICATE,)):
        with pytest.raises(tokens.WrongTokenKind):
            tokens.verify(report, kinds=kinds)
    with pytest.raises(tokens.WrongTokenKind):
        tokens.verify(tokens.sign(tokens.KIND_CERTIFICATE, 7), kinds=(tokens.KIND_CREDIT_REPORT,))


def test_a_forged_token_is_forged_whatever_kind_the_caller_accepts(app):
    certificate = tokens.sign(tokens.KIND_CERTIFICATE, 31)
    for index in range(len(certificate)):
        with pytest.raises(tokens.InvalidToken) as refused:
            tokens.verify(_flip(certificate, index), kinds=(tokens.KIND_CERTIFICATE,))
        assert not isinstance(refused.value, tokens.WrongTokenKind)


def test_split_refuses_characters_outside_base64url_that_the_decoder_would_accept(app):
    token = tokens.sign(tokens.KIND_RESIDENT_CARD, 1)
    body, signature = tokens.split(token, 26)
    assert len(body) == 26 and len(signature) == tokens.SIG_LEN
    # standard base64 spells "-" and "_" as "+" and "/"; the lenient decoder would read them alike
    plus = token[:5] + "+" + token[6:]
    for bad in (plus, token[:-1] + "=", token[:-1] + ".", token[:-1], token + "A"):
        with pytest.raises(tokens.UnreadableToken):
            tokens.split(bad, 26)
