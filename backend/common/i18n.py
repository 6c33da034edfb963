"""The reader's language for every message: zh-CN by default, English on ``Accept-Language: en``.

Messages are keyed by their English text, the way gettext keys by msgid, but the
table is Python (each domain's ``errors.py``): the catalogue must also feed the
OpenAPI document and a test that walks it, and a dict needs no compile step.
A key may hold ``{placeholders}``: "Wrong PIN; {left} tries left." matches the
text a service formatted and gives the Chinese with the same values. Values that
are internal names (record states, roles, code kinds) are shown through
``LABELS`` in both languages, so ``in_notice`` reads 公示中 / in public notice.
"""
import re
from datetime import datetime, timedelta

from flask import current_app, has_app_context, has_request_context, request

LANGUAGES = ("zh", "en")
DEFAULT = "zh"

#: internal name -> (zh, en), for placeholder values that are states, roles, kinds
LABELS: dict[str, tuple[str, str]] = {}
#: English text or template -> zh text, or (zh, en) when the English reads better rewritten
MESSAGES: dict[str, object] = {}
_templates: list[tuple[re.Pattern, str]] = []

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_CJK = "\u3400-\u9fff\uff00-\uffef\u3000-\u303f"


def language():
    """``zh`` unless the request prefers English (``Accept-Language: en``, ``en-GB`` …)."""
    if not has_request_context():
        return DEFAULT
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default="zh-CN")
    return "en" if best.startswith("en") else "zh"


def add_labels(labels):
    for key, pair in labels.items():
        if LABELS.get(key, pair) != pair:
            raise ValueError(f"label {key!r} defined twice differently")
        LABELS[key] = pair


def add_messages(messages):
    for key, value in messages.items():
        if MESSAGES.get(key, value) != value:
            raise ValueError(f"message {key!r} translated twice differently")
        if key in MESSAGES:
            continue
        MESSAGES[key] = value
        if _PLACEHOLDER.search(key):
            parts = re.split(r"(\{[a-z_]+\})", key)
            pattern = "".join(
                f"(?P<{p[1:-1]}>.+?)" if _PLACEHOLDER.fullmatch(p) else re.escape(p) for p in parts
            )
            _templates.append((re.compile(f"^{pattern}$", re.S), key))
    # the most specific template (most literal text) wins
    _templates.sort(key=lambda t: -len(_PLACEHOLDER.sub("", t[1])))


def label(value, lang):
    pair = LABELS.get(str(value).strip())
    if pair is None:
        return str(value)
    return pair[0] if lang == "zh" else pair[1]


_LIMIT = re.compile(r"(\d+) per (\d+ )?(second|minute|hour|day)s?")
_UNITS = {"second": "秒", "minute": "分钟", "hour": "小时", "day": "天"}


def _local_time(value):
    """An ISO UTC time as the district's local wall time (CREDIT_UTC_OFFSET_HOURS, UTC+8 by default)."""
    try:
        moment = datetime.fromisoformat(value.rstrip("Z"))
    except ValueError:
        return value
    hours = current_app.config.get("CREDIT_UTC_OFFSET_HOURS", 8) if has_app_context() else 8
    return f"{moment + timedelta(hours=hours):%Y-%m-%d %H:%M}"


#: placeholders whose values are internal names, shown through LABELS; others are shown as they are
LABELLED = {"status", "target", "name", "kind", "awareness", "period", "subject_type", "role"}
LABELLED_LISTS = {"statuses", "roles", "names"}


def _render(name, value, lang):
    if name.endswith("_utc"):
        return _local_time(value)
    if name in LABELLED_LISTS:
        parts = re.split(r" or |, ", value)
        return ("或" if lang == "zh" else " or ").join(label(p, lang) for p in parts)
    if name == "limit" and lang == "zh":
        return _LIMIT.sub(lambda m: f"每 {(m.group(2) or '1 ').strip()} {_UNITS[m.group(3)]} {m.group(1)} 次", value)
    return label(value, lang) if name in LABELLED else value


def _has_label(value):
    return any(part.strip() in LABELS for part in re.split(r" or |, ", value))


def split_bilingual(text):
    """Some services wrote both languages in one string ("文件为空。The file is empty."); part them."""
    match = re.match(rf"^(.*?[{_CJK}].*?[。！？）])\s*([A-Z0-9\"][^{_CJK}]*)$", text, re.S)
    if match:
        return match.group(1).strip(), match.group(2).strip()
    match = re.match(rf"^([A-Za-z].*?[.!?])\s+([{_CJK}].*)$", text, re.S)
    if match:
        return match.group(2).strip(), match.group(1).strip()
    if re.search(f"[{_CJK}]", text):
        return text, None
    return None, text


def lookup(english):
    """(key, values) of the message table entry that ``english`` is an instance of, or None."""
    if english in MESSAGES:
        return english, {}
    for pattern, key in _templates:
        match = pattern.match(english)
        if match:
            return key, match.groupdict()
    return None


def translate(text, lang=None):
    """``text`` in ``lang``; None when the table has no entry (the caller chooses a fallback)."""
    if not isinstance(text, str) or not text:
        return None
    lang = lang or language()
    found = lookup(text)  # English that carries a Chinese value ("Only 3 of 大米 (Rice) left.")
    if found is not None:
        zh_source, english = None, text
    else:
        zh_source, english = split_bilingual(text)
        found = lookup(english) if english else None
    if found is None:
        return zh_source if lang == "zh" else english
    key, values = found
    if lang == "zh" and zh_source and not any(
            _has_label(v) for k, v in values.items() if k in LABELLED or k in LABELLED_LISTS):
        return zh_source  # the service's own Chinese carries values the English lacks (item names …)
    entry = MESSAGES[key]
    zh, en = entry if isinstance(entry, tuple) else (entry, key)
    template = zh if lang == "zh" else en
    return template.format(**{name: _render(name, value, lang) for name, value in values.items()})


def translate_tree(value, lang=None):
    """Field errors: every string in nested dicts and lists, untranslatable ones left as they are."""
    lang = lang or language()
    if isinstance(value, dict):
        return {key: translate_tree(item, lang) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [translate_tree(item, lang) for item in value]
    if isinstance(value, str):
        return translate(value, lang) or value
    return value
