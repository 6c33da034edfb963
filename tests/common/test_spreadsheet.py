from backend.common.spreadsheet import safe_cell, safe_row


def test_spreadsheet_cells_that_would_start_a_formula_get_an_apostrophe():
    for text in ("=1+1", "+86 138", "-SUM(A1)", "@cmd", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_row(["张三", -5, 3, None, "a=b", ""]) == ["张三", -5, 3, None, "a=b", ""]
