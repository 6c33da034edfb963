"""Pieces of the console's list exports (``GET <list>/export.xlsx``): headers in the reader's language,
times in the district's local time, internal names as words."""
from .calendar import offset
from .i18n import label, language


def headed(spec):
    """``[(zh, en, key_or_function)]`` → XLSX columns headed in the reader's language."""
    english = language() == "en"
    return [(en if english else zh, key) for zh, en, key in spec]


def words(zh, en):
    """A sheet title or other text in the reader's language."""
    return en if language() == "en" else zh


def local_time(moment):
    """A naive UTC time as the district's wall time, ``2026-07-01 09:30`` (what the screens show)."""
    return None if moment is None else f"{moment + offset():%Y-%m-%d %H:%M}"


def worded(value):
    """An internal name (``active``, ``moved_out``) in the reader's language."""
    return None if value is None else label(value, language())


def bilingual(row, field):
    """``row[field_zh]`` or, for an English reader, ``row[field_en]``."""
    return row.get(f"{field}_en" if language() == "en" else f"{field}_zh")
