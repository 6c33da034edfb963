"""Cells for CSV and XLSX exports that Excel, WPS or LibreOffice never run as formulas.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula (``=HYPERLINK(…)`` in a resident's name would run on the reviewer's machine). Such text
gets a leading apostrophe, which the spreadsheet shows as plain text (OWASP's advice). Numbers
stay numbers: ``-5`` points is an ``int``, not text.
"""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as written to a cell: text that would start a formula is prefixed with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values):
    return [safe_cell(value) for value in values]
