"""The typed face of a phone code: a number a resident reads out and a merchant types.

A merchant whose camera fails, or an old phone whose screen a scanner cannot
read, needs what Alipay's payment code has under its QR: digits. The number is
stateless like the token and shares its single-use nonce, so spending either
face spends the code (``dynamic_code_uses`` keeps its unique (resident, nonce)).

Layout, for a phone code of resident ``id`` that expires at ``expires`` (unix s)
with a random ``r`` in 0..99::

    block  = id * 10^5 + (expires mod 1000) * 100 + r      at least 12 digits
    mac    = 6 digits of HMAC(key, "mac"|id|expires|r)
    number = (block + PRF(key, mac)) mod 10^len(block)  ||  mac

18 digits for ids below 10^7. The mask hides the resident id; the MAC makes a
guessed number right once in a million, and a random one also has to land its
expiry in the ~105 live seconds of the thousand it can name: about one live code
in 10^7 tries, each one a request to the server (no number can be checked offline). The
full expiry is rebuilt from its last three digits as the one value in the
thousand seconds before ``now + ttl + SKEW``; a number older than that no longer
opens (it reads as forged, not expired).

The key is derived from an Ed25519 signing seed (``number_key``), so the key ring
that rotates the token keys rotates these too: every private key still in the
ring opens a number, the first signs new ones.
"""
import hashlib
import hmac
import secrets

MAC_DIGITS = 6
BLOCK_MIN_DIGITS = 12
#: a number is all digits and at least this long (a card number like R0000012-1 has letters)
MIN_LENGTH = BLOCK_MIN_DIGITS + MAC_DIGITS
MAX_LENGTH = 32
#: seconds an issuing API process's clock may run ahead of the verifying one's (NTP keeps them far closer)
SKEW = 30
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


class BadNumber(Exception):
    """No key of the ring issued this number (forged, mistyped, or older than the window)."""


def number_key(seed):
    """The HMAC key of the numbers, from an Ed25519 private seed (32 raw bytes)."""
    return hashlib.sha256(b"chengxin-dynamic-number:" + seed).digest()


def _prf(key, *parts):
    return hmac.new(key, "|".join(str(p) for p in parts).encode(), hashlib.sha256).digest()


def _nonce(key, resident_id, expires, r):
    return _prf(key, "nonce", resident_id, expires, r)[:8].hex()


def _mac(key, resident_id, expires, r):
    value = int.from_bytes(_prf(key, "mac", resident_id, expires, r)[:8], "big") % 10 ** MAC_DIGITS
    return f"{value:0{MAC_DIGITS}d}"


def _mask(key, mac, length):
    return int.from_bytes(_prf(key, "mask", mac, length), "big") % 10 ** length


def candidate_nonces(key, resident_id, expires, count):
    """``count`` candidate ``(r, nonce hex)`` of a fresh phone code, with distinct ``r``: two codes of one
    resident issued in the same second share a nonce when they share ``r`` (one in a hundred), so the issuer
    takes the first candidate not yet spent (``cards.service.issue_dynamic_code``) and then its number."""
    return [(r, _nonce(key, resident_id, expires, r)) for r in secrets.SystemRandom().sample(range(100), count)]


def number_of(key, resident_id, expires, r):
    """The typed number of the phone code ``(resident_id, expires, r)``."""
    block = resident_id * 10 ** 5 + (expires % 1000) * 100 + r
    length = max(BLOCK_MIN_DIGITS, len(str(block)))
    mac = _mac(key, resident_id, expires, r)
    masked = (block + _mask(key, mac, length)) % 10 ** length
    return f"{masked:0{length}d}{mac}"


def clean(text):
    """The digits of a typed number (spaces, dashes and full-width digits allowed), or None if ``text`` is none."""
    digits = "".join(text.translate(_FULLWIDTH).split()).replace("-", "")
    if MIN_LENGTH <= len(digits) <= MAX_LENGTH and digits.isascii() and digits.isdigit():
        return digits
    return None


def open_number(keys, digits, now, ttl):
    """``(index of the key, resident id, expires, nonce hex)`` of a cleaned number; ``BadNumber`` if no key
    issued it. Expiry is the caller's to judge (the rebuilt ``expires`` may lie in the past)."""
    length = len(digits) - MAC_DIGITS
    masked, mac = int(digits[:length]), digits[length:]
    latest = int(now) + ttl + SKEW
    for index, key in enumerate(keys):
        block = (masked - _mask(key, mac, length)) % 10 ** length
        if length > BLOCK_MIN_DIGITS and block < 10 ** (length - 1):
            continue  # a longer number is only written for an id that needs it: one number per code
        resident_id, rest = divmod(block, 10 ** 5)
        low, r = divmod(rest, 100)
        expires = latest - (latest - low) % 1000
        if resident_id and hmac.compare_digest(_mac(key, resident_id, expires, r), mac):
            return index, resident_id, expires, _nonce(key, resident_id, expires, r)
    raise BadNumber()

