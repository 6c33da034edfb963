"""Error codes and texts of district reports (see ``backend/errors.py``, catalogue)."""
from ..errors import catalogue

catalogue("reports", {
    "scope_not_found": (404, "不在您管辖范围内的镇街或村社区", "No such town or village in your communities"),
    "invalid_month": (422, "月份格式不对", "Invalid month"),
    "invalid_month_range": (422, "月份范围无效", "Invalid month range"),
}, messages={
    "No such town or village in your communities.": "您管辖的范围内没有这个镇街或村社区。",
    "The first month is after the last one.": "起始月份晚于结束月份。",
    "After 'to'.": "晚于结束月份。",
    "A report covers at most {months} months.": "一份报表最多涵盖 {months} 个月。",
    "At most {months} months.": "最多 {months} 个月。",
    "A month is written YYYY-MM.": "月份写作 YYYY-MM。",
    "Use YYYY-MM, e.g. 2026-07.": "请写作 YYYY-MM，例如 2026-07。",
})
