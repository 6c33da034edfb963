"""Error codes and texts of the audit trail and the look-up log."""
from ..errors import catalogue

catalogue("audit", {
    "date_range_reversed": (422, "日期范围有误", "Date range reversed"),
}, messages={
    "The date range must end after it starts.": "日期范围的截止时间须晚于起始时间，请重新选择。",
})
