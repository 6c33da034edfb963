"""Chinese resident ID numbers (居民身份证号): checked, hashed, never stored in clear."""
import hashlib
import hmac

from flask import current_app

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


def check_digit(first17):
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def normalize(id_number):
    return (id_number or "").strip().upper()


def is_valid(id_number):
    value = normalize(id_number)
    return len(value) == 18 and value[:17].isdigit() and check_digit(value[:17]) == value[17]


def id_hash(id_number):
    key = current_app.config["ID_HASH_KEY"].encode()
    return hmac.new(key, normalize(id_number).encode(), hashlib.sha256).hexdigest()
