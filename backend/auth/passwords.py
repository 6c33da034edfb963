"""argon2id for passwords and PINs."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hashers = {}


def _hasher():
    cheap = current_app.config.get("PASSWORD_HASH_CHEAP", False)
    if cheap not in _hashers:
        # OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): ~50 ms here, so a kiosk
        # PIN check or a login does not stall a 2-core server; tests use tiny parameters
        _hashers[cheap] = (PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if cheap
                           else PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1))
    return _hashers[cheap]


def hash_secret(secret):
    return _hasher().hash(secret)


def verify_secret(hashed, secret):
    if not hashed:
        return False
    try:
        return _hasher().verify(hashed, secret)
    except (VerificationError, InvalidHashError):
        return False


#: compared against when the account does not exist, so timing does not tell
_DUMMY = {}


def burn_time(secret):
    cheap = current_app.config.get("PASSWORD_HASH_CHEAP", False)
    if cheap not in _DUMMY:
        _DUMMY[cheap] = hash_secret("dummy-password")
    verify_secret(_DUMMY[cheap], secret)
