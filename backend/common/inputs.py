"""Guards for input that no schema sees: path integers and the raw JSON body.

They run before any view, so every route is covered without a patch of its own:

- ``AsciiIntConverter`` replaces Flask's ``int`` converter: ASCII digits only
  (``\\d`` would also match ``٥`` and ``５``) and at most a 64-bit signed
  integer, so ``/residents/9223372036854775808`` is a 404, never an overflow
  in the database driver.
- ``check_json_body`` refuses JSON nested deeper than ``JSON_MAX_DEPTH``
  (the standard parser would hit Python's recursion limit) and strings that
  hold a lone UTF-16 surrogate (``"\\ud800"`` parses, but no database or
  response can encode it).
"""
import json
import unicodedata

from flask import request
from werkzeug.routing import IntegerConverter

from ..errors import DomainError, ValidationFailed

#: the largest id a BIGINT column (and SQLite's INTEGER) can hold
INT64_MAX = 2**63 - 1
#: no request body of this API nests deeper than a few levels
JSON_MAX_DEPTH = 32


def _digits_up_to(limit):
    """A regex for ASCII digit strings whose value is at most ``limit`` (leading zeros allowed).

    The bound lives in the pattern, not only in ``to_python``: werkzeug checks a rule's methods
    before its converters, so a ``PATCH /residents/<too big>`` that failed in ``to_python`` would
    be a 405 (the ``GET`` rule of the same path "matched") instead of a 404.
    """
    top = str(limit)
    same_length = [top] + [f"{top[:i]}[0-{int(top[i]) - 1}][0-9]{{{len(top) - i - 1}}}"
                           for i in range(len(top)) if top[i] != "0"]
    return rf"0*(?:[0-9]{{1,{len(top) - 1}}}|{'|'.join(same_length)})"


class AsciiIntConverter(IntegerConverter):
    """``<int:…>`` that matches ASCII digits up to ``INT64_MAX``."""

    regex = _digits_up_to(INT64_MAX)

    def __init__(self, map, fixed_digits=0, min=None, max=INT64_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def register_input_guards(app):
    """Install the converter app-wide (before any blueprint adds its rules) and the body check."""
    app.url_map.converters["int"] = AsciiIntConverter
    app.before_request(check_json_body)


def _walk(value):
    """(depth, has_lone_surrogate) of a parsed JSON value, without recursion."""
    stack = [(value, 1)]
    deepest = 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > JSON_MAX_DEPTH:
            return deepest, False
        if isinstance(item, str):
            if not _encodable(item):
                return deepest, True
        elif isinstance(item, dict):
            for key, child in item.items():
                if not _encodable(key):
                    return deepest, True
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest, False


def _encodable(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _too_deep():
    return DomainError(f"The JSON body nests deeper than {JSON_MAX_DEPTH} levels.", code="json_too_deep")


def check_json_body():
    """``before_request``: refuse JSON too deep to parse safely or holding text no one can store."""
    if not request.is_json:
        return
    raw = request.get_data(cache=True)
    if not raw:
        return
    # cheap pre-check: a body with few brackets cannot be deep
    if raw.count(b"[") + raw.count(b"{") > JSON_MAX_DEPTH or b"\\u" in raw:
        try:
            parsed = json.loads(raw)
        except RecursionError:
            raise _too_deep() from None
        except ValueError:
            return  # malformed: the argument parser answers it as malformed_json
        depth, bad_text = _walk(parsed)
        if depth > JSON_MAX_DEPTH:
            raise _too_deep()
        if bad_text:
            raise ValidationFailed("The text holds an invalid character (a lone UTF-16 surrogate).",
                                   code="invalid_text")


def clean_filename(name, fallback, limit=200):
    """A file name safe to store and to send back in ``Content-Disposition``: the last path part
    only, without control or format characters (NUL, CR, LF, bidi overrides) or lone surrogates."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:limit] or fallback
