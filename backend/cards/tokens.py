"""Compact signed tokens for QR codes (Ed25519 via ``cryptography``).

A token is ``base64url(body || signature)`` where the 26-byte body is::

    version(1) kind(1) kid(4) subject(8) expires(4, unix s, 0 = never) nonce(8)

and the signature is Ed25519 over the body (64 bytes): 120 characters in
all, small enough for a dense-free QR code a cheap phone camera reads. The
key id names the signing key, so keys rotate: new tokens are signed with the
first key of ``TOKEN_SIGNING_KEYS``, and every listed key (plus the public
keys in ``TOKEN_RETIRED_PUBLIC_KEYS``) still verifies. Anyone holding the
published public keys can verify a token offline; whether a card is still
valid (not revoked) and a dynamic code still unused is a question for the
server.

Cards and dynamic codes are not the only kinds: a volunteer service
certificate (志愿服务证明) carries a token of kind ``certificate`` in its QR
code, and a credit report (信用报告) one of kind ``credit_report``. ``verify``
accepts only the kinds its caller names (card kinds unless told otherwise), so
a certificate never passes for a card, nor a card for a certificate, nor either
for a credit report.

A phone code has a second face, a number a merchant can type (``numbers``):
``verify`` opens an all-digit input as that number wherever a dynamic code is
accepted, and refuses it everywhere else.
"""
import base64
import binascii
import hashlib
import os
import secrets
import struct
import time
from dataclasses import dataclass
from urllib.parse import urlparse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app, has_request_context, request
from limits import parse as parse_limit

from ..errors import DomainError
from ..extensions import limiter
from . import numbers

VERSION = 1
KIND_RESIDENT_CARD = 1
KIND_MERCHANT_CARD = 2
KIND_DYNAMIC = 3
KIND_CERTIFICATE = 4
KIND_CREDIT_REPORT = 5
KIND_NAMES = {KIND_RESIDENT_CARD: "resident_card", KIND_MERCHANT_CARD: "merchant_card", KIND_DYNAMIC: "dynamic",
              KIND_CERTIFICATE: "certificate", KIND_CREDIT_REPORT: "credit_report"}
#: what scanners at a counter accept unless they ask for other kinds
CARD_KINDS = (KIND_RESIDENT_CARD, KIND_MERCHANT_CARD, KIND_DYNAMIC)
_BODY = struct.Struct(">BB4sQI8s")
SIG_LEN = 64
#: base64url without padding: anything else cannot be a token (and must not reach the decoder,
#: which would silently drop stray characters)
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
TOKEN_LEN = len(base64.urlsafe_b64encode(b"\0" * (_BODY.size + SIG_LEN)).rstrip(b"="))


class InvalidToken(DomainError):
    status = 400
    code = "invalid_code"
    title = "Unreadable or forged code"


class UnreadableToken(InvalidToken):
    """Not a token at all: wrong length, a character outside base64url, or undecodable."""


class WrongTokenKind(InvalidToken):
    """A genuine token, but of a kind the caller does not accept (a certificate at a till)."""


class TooManyWrongNumbers(DomainError):
    status = 429
    code = "rate_limited"
    title = "Too many requests"


#: wrong typed numbers one address may send: a slip of the finger is a few a minute, guessing a 6-digit
#: MAC takes millions (20 a minute makes a live guess a matter of years, not hours)
WRONG_NUMBERS = parse_limit("20 per minute")


class ExpiredToken(DomainError):
    status = 410
    code = "code_expired"
    title = "Code expired"


@dataclass(frozen=True)
class Payload:
    kind: int
    kid: str
    subject_id: int
    expires: int
    nonce: str

    @property
    def kind_name(self):
        return KIND_NAMES[self.kind]


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public_key):
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:8]


class KeyRing:
    """Signing key (first) and all verifying keys, from the configuration."""

    def __init__(self, signing_spec, secret_key, retired_public=""):
        self.private = []
        for item in filter(None, (s.strip() for s in signing_spec.split(","))):
            seed = _unb64(item.split(":", 1)[-1])
            self.private.append(Ed25519PrivateKey.from_private_bytes(seed))
        if not self.private:
            # development: a key derived from SECRET_KEY, stable across restarts
            seed = hashlib.sha256(b"chengxin-card-key:" + secret_key.encode()).digest()
            self.private.append(Ed25519PrivateKey.from_private_bytes(seed))
        self.public = {key_id(k.public_key()): k.public_key() for k in self.private}
        #: the phone-code numbers' HMAC keys and their key ids, one per private key, the signer's first
        self.number_keys = [numbers.number_key(k.private_bytes(serialization.Encoding.Raw,
                                                               serialization.PrivateFormat.Raw,
                                                               serialization.NoEncryption()))
                            for k in self.private]
        self.private_kids = [key_id(k.public_key()) for k in self.private]
        for item in filter(None, (s.strip() for s in retired_public.split(","))):
            pub = Ed25519PublicKey.from_public_bytes(_unb64(item.split(":", 1)[-1]))
            self.public[key_id(pub)] = pub
        self.signer = self.private[0]
        self.signer_kid = key_id(self.signer.public_key())

    def published(self):
        return [
            {
                "kid": kid,
                "alg": "Ed25519",
                "public_key": _b64(pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)),
                "signing": kid == self.signer_kid,
            }
            for kid, pub in self.public.items()
        ]


def keyring():
    config = current_app.config
    cache_key = (config["TOKEN_SIGNING_KEYS"], config["SECRET_KEY"], config.get("TOKEN_RETIRED_PUBLIC_KEYS", ""))
    ring = current_app.extensions.get("chengxin_keyring")
    if ring is None or ring[0] != cache_key:
        ring = (cache_key, KeyRing(*cache_key))
        current_app.extensions["chengxin_keyring"] = ring
    return ring[1]


def generate_signing_key():
    """A new ``kid:base64`` entry for TOKEN_SIGNING_KEYS."""
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())
    return f"{key_id(key.public_key())}:{_b64(seed)}"


def public_entry(signing_entry):
    """The ``kid:base64`` public half of a TOKEN_SIGNING_KEYS entry, for TOKEN_RETIRED_PUBLIC_KEYS."""
    seed = _unb64(signing_entry.split(":", 1)[-1])
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return f"{key_id(public)}:{_b64(raw)}"


def sign(kind, subject_id, *, ttl=None, nonce=None, expires=None):
    ring = keyring()
    if expires is None:
        expires = int(time.time()) + ttl if ttl else 0
    nonce_bytes = bytes.fromhex(nonce) if nonce else os.urandom(8)
    body = _BODY.pack(VERSION, kind, bytes.fromhex(ring.signer_kid),
                      subject_id, expires, nonce_bytes)
    return _b64(body + ring.signer.sign(body))


def extract(raw):
    """Accept a bare token or a ``…/c/<token>`` URL, as scanners and people paste them."""
    text = (raw or "").strip()
    if "/" in text:
        try:
            path = urlparse(text).path if "://" in text else text
        except ValueError:  # e.g. an unbalanced "[" in the host part
            return ""
        text = path.rstrip("/").rsplit("/", 1)[-1]
    return text


def split(text, body_size):
    """``(body, signature)`` of a base64url text that holds a ``body_size``-byte body and its
    signature; ``UnreadableToken`` for any other length or character."""
    if len(text) != len(_b64(b"\0" * (body_size + SIG_LEN))) or not _ALPHABET.issuperset(text):
        raise UnreadableToken("This is not a Chengxin code.")
    try:
        data = _unb64(text)
    except (binascii.Error, ValueError):
        raise UnreadableToken("This is not a Chengxin code.") from None
    if len(data) != body_size + SIG_LEN:
        raise UnreadableToken("This is not a Chengxin code.")
    return data[:body_size], data[body_size:]


def dynamic_candidates(resident_id, ttl, count=8):
    """``(expires, [(r, nonce)])``: candidates for a fresh phone code (see ``numbers.candidate_nonces``)."""
    expires = int(time.time()) + ttl
    return expires, numbers.candidate_nonces(keyring().number_keys[0], resident_id, expires, count)


def sign_dynamic(resident_id, expires, r, nonce):
    """A phone code's two faces, ``(token, number)``: the signed token (the QR) and the typed number share
    ``nonce``, so spending either spends the code."""
    number = numbers.number_of(keyring().number_keys[0], resident_id, expires, r)
    return sign(KIND_DYNAMIC, resident_id, nonce=nonce, expires=expires), number


def verify(raw, *, now=None, kinds=CARD_KINDS, typed=True):
    """Check signature, kind and expiry; returns the ``Payload`` or raises ``InvalidToken``/``ExpiredToken``.

    With ``typed`` (the default), an all-digit input is a phone code's number (see ``verify_number``);
    a page a QR code opens passes ``typed=False``: no QR code holds a number.
    """
    text = extract(raw) if isinstance(raw, str) else ""
    digits = numbers.clean(text) if typed else None
    if digits is not None:
        return verify_number(digits, now=now, kinds=kinds)
    body, signature = split(text, _BODY.size)
    version, kind, kid, subject_id, expires, nonce = _BODY.unpack(body)
    kid_hex = kid.hex()
    public = keyring().public.get(kid_hex)
    if version != VERSION or kind not in KIND_NAMES or public is None:
        raise InvalidToken("This code was not issued by this credit centre.")
    try:
        public.verify(signature, body)
    except InvalidSignature:
        raise InvalidToken("This code was not issued by this credit centre.") from None
    if kind not in kinds:
        raise WrongTokenKind(f"A {KIND_NAMES[kind].replace('_', ' ')} code cannot be used here.")
    if expires and expires < (now or time.time()):
        raise ExpiredToken("This code has expired; show a fresh one.")
    return Payload(kind=kind, kid=kid_hex, subject_id=subject_id, expires=expires, nonce=nonce.hex())


def verify_number(digits, *, now=None, kinds=CARD_KINDS):
    """The ``Payload`` a phone code's typed number stands for: the very one its token verifies to.

    Only where a dynamic code is accepted; a wrong MAC (a forged or mistyped number) is ``InvalidToken``, an
    expired number ``ExpiredToken``, as for a token."""
    if KIND_DYNAMIC not in kinds:
        raise UnreadableToken("This is not a Chengxin code.")
    guard = _wrong_number_key()
    if guard and not limiter.limiter.test(WRONG_NUMBERS, guard):
        raise TooManyWrongNumbers("Too many wrong code numbers; wait a minute and try again.")
    ring = keyring()
    now = now or time.time()
    try:
        index, subject_id, expires, nonce = numbers.open_number(
            ring.number_keys, digits, now, current_app.config["DYNAMIC_CODE_SECONDS"])
    except numbers.BadNumber:  # a slip of the finger far more often than a forgery: say so
        if guard:
            limiter.limiter.hit(WRONG_NUMBERS, guard)
        raise InvalidToken("These digits are not a valid phone code; check them and type them again.") from None
    if expires < now:
        raise ExpiredToken("This phone code number has expired; ask for a fresh one.")
    return Payload(kind=KIND_DYNAMIC, kid=ring.private_kids[index], subject_id=subject_id, expires=expires,
                   nonce=nonce)


def _wrong_number_key():
    """Whom the count of wrong numbers is kept for (the client's address, as for sign-in), or None outside a
    request or with rate limits off."""
    if not has_request_context() or not limiter.enabled or not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    return f"wrong-code-number:{request.remote_addr}"


def public_url(token):
    return f"{current_app.config['PUBLIC_BASE_URL']}/c/{token}"


def new_nonce():
    return secrets.token_hex(8)
