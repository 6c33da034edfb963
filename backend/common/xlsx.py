"""XLSX downloads (reports, exports, templates), written row by row in constant memory (XlsxWriter).

Text goes in with ``write_string`` and numbers with ``write_number``: nothing a cell holds is
ever read as a formula, so a name like ``=HYPERLINK(…)`` stays text in Excel and WPS.
"""
import tempfile
from datetime import datetime

import xlsxwriter
from flask import send_file

from ..extensions import db
from .calendar import offset
from .i18n import label, language

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_sheet(workbook, title, columns, rows):
    """``columns``: ``[(header, key_or_function)]``; ``rows``: any iterable of dicts or model rows (streamed)."""
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True})
    for col, (header, _get) in enumerate(columns):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, max(10, len(header) * 2))
    for r, row in enumerate(rows, 1):
        for col, (_header, get) in enumerate(columns):
            value = get(row) if callable(get) else row.get(get) if isinstance(row, dict) else getattr(row, get)
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_string(r, col, "是" if value else "否")
            elif isinstance(value, (int, float)):
                sheet.write_number(r, col, value)
            elif isinstance(value, datetime):
                sheet.write_string(r, col, value.strftime("%Y-%m-%d %H:%M"))
            else:
                sheet.write_string(r, col, str(value))
    sheet.freeze_panes(1, 0)


def xlsx_response(filename, sheets):
    """A download of ``sheets`` (``[(title, columns, rows)]``); the file lives in a temporary file,
    never wholly in memory, and is removed once sent."""
    spool = tempfile.TemporaryFile(suffix=".xlsx")
    workbook = xlsxwriter.Workbook(spool, {"constant_memory": True, "in_memory": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})
    for title, columns, rows in sheets:
        write_sheet(workbook, title, columns, rows)
    workbook.close()
    spool.seek(0)
    return send_file(spool, mimetype=XLSX, as_attachment=True, download_name=filename)


def headed(spec):
    """``[(zh, en, key_or_function)]`` → ``columns`` headed in the reader's language."""
    return [(en if english() else zh, get) for zh, en, get in spec]


def local(moment):
    """A stored naive UTC time as the district's local time, the way every screen shows it."""
    return None if moment is None else moment + offset()


# --- list exports (GET <list>/export.xlsx) ----------------------------------------------------


def english():
    """True when the reader asked for English (Accept-Language), else the sheet is in Chinese."""
    return language() == "en"


def local_text(value):
    """A naive UTC time as the district's local wall-clock text (what a clerk reads on screen)."""
    return None if value is None else (value + offset()).strftime("%Y-%m-%d %H:%M")


def streamed(stmt):
    """The rows of ``stmt`` fetched 1,000 at a time (an export never holds the whole list)."""
    yield from db.session.execute(stmt.execution_options(yield_per=1000)).scalars()


def words(zh, en):
    """A sheet title or other text in the reader's language."""
    return en if english() else zh


def worded(value):
    """An internal name (``active``, ``moved_out``) in the reader's language."""
    return None if value is None else label(value, language())


def bilingual(row, field):
    """``row[field_zh]`` or, for an English reader, ``row[field_en]``."""
    return row.get(f"{field}_en" if english() else f"{field}_zh")
