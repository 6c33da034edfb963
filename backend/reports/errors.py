"""Error codes and texts of district reports and credit reports (see ``backend/errors.py``, catalogue)."""
from ..errors import NotFound, catalogue


class CreditReportNotFound(NotFound):
    code = "credit_report_not_found"
    title = "No such credit report"


catalogue("reports", {
    "scope_not_found": (404, "不在您管辖范围内的镇街或村社区", "No such town or village in your communities"),
    "invalid_month": (422, "月份格式不对", "Invalid month"),
    "invalid_month_range": (422, "月份范围无效", "Invalid month range"),
    "credit_report_not_found": (404, "没有这份信用报告", "No such credit report"),
    "invalid_period": (422, "报告期间无效", "Invalid period"),
    "invalid_subject": (422, "报告对象无效", "Invalid subject"),
    "report_number_busy": (409, "同时出具的报告过多", "Too many reports issued at once"),
}, messages={
    "No such town or village in your communities.": "您管辖的范围内没有这个镇街或村社区。",
    "The first month is after the last one.": "起始月份晚于结束月份。",
    "After 'to'.": "晚于结束月份。",
    "A report covers at most {months} months.": "一份报表最多涵盖 {months} 个月。",
    "At most {months} months.": "最多 {months} 个月。",
    "A month is written YYYY-MM.": "月份写作 YYYY-MM。",
    "Use YYYY-MM, e.g. 2026-07.": "请写作 YYYY-MM，例如 2026-07。",
    # credit reports (信用报告)
    "No such credit report.": "没有这份信用报告。",
    "A credit report cannot cover days still to come.": "信用报告不能包含尚未到来的日子。",
    "Not after today.": "不能晚于今天。",
    "The period starts after it ends.": "报告期间的起始日期晚于结束日期。",
    "After 'to' (the last day).": "晚于结束日期。",
    "A credit report covers at most three years.": "一份信用报告最多涵盖三年。",
    "At most three years before 'to'.": "最多早于结束日期三年。",
    "Name either a resident or a household.": "请指定一位居民或一个信用户。",
    "Give resident_id or household_id, not both.": "请给出 resident_id 或 household_id 之一，不要同时给出。",
    "Too many reports issued at once; try again.": "同时出具的报告过多，请重试。",
    "Say why the report is asked for (2 to 200 characters), e.g. for a loan.": "请写明申请用途（2 至 200 字），例如“本人申请，用于贷款”。",
})
