"""Reading an XLSX download in tests: the file as openpyxl sees it."""
import io

import openpyxl


def sheet_rows(response):
    """``(header, rows)`` of the first sheet of an XLSX response (every cell as openpyxl reads it)."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    header, *rows = list(workbook.active.iter_rows(values_only=True))
    return list(header), [dict(zip(header, row)) for row in rows]
