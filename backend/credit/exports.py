"""XLSX columns of the reviewer's lists (objections, repairs, red and black lists), headed in the
reader's language; times in the district's local time, as every screen shows them."""
from ..common.i18n import label, language
from ..common.xlsx import headed, local
from .catalogue import CATEGORIES

STATUS = {
    "open": ("待处理", "open"), "upheld": ("异议成立", "upheld"), "dismissed": ("异议驳回", "dismissed"),
    "pending": ("待审核", "pending"), "approved": ("已批准", "approved"), "rejected": ("已驳回", "rejected"),
}


def _status(value):
    pair = STATUS.get(value)
    return value if pair is None else pair[0 if language() == "zh" else 1]


def _title(record):
    version = record.item_version
    return version.title_en or version.title_zh if language() == "en" else version.title_zh


def _community(row):
    return row["community_name_en"] if language() == "en" else row["community_name_zh"]


def _overdue(objection, now):
    return objection.status == "open" and objection.due_at < now


def headed_objection_columns(now):
    return headed([
        ("编号", "No.", lambda o: o.id), ("记录编号", "Record", lambda o: o.record_id),
        ("记录对象", "Resident", lambda o: o.record.resident.name if o.record.resident_id is not None else None),
        ("项目", "Item", lambda o: _title(o.record)), ("分值", "Points", lambda o: o.record.points),
        ("异议人", "Objector", lambda o: o.objector.name), ("异议理由", "Reason", lambda o: o.reason),
        ("针对已生效记录", "Against a final record", lambda o: o.against_final),
        ("提出时间", "Raised", lambda o: local(o.created_at)), ("处理期限", "Due", lambda o: local(o.due_at)),
        ("已逾期", "Overdue", lambda o: _overdue(o, now)), ("状态", "Status", lambda o: _status(o.status)),
        ("处理时间", "Decided", lambda o: local(o.decided_at)), ("处理意见", "Decision note", lambda o: o.decision_note),
    ])


def _category(record):
    pair = CATEGORIES.get(record.category)
    return record.category if pair is None else pair[0 if language() == "zh" else 1]


def headed_record_columns():
    """The records list (the review queue and the village's records) as a clerk reads it."""
    return headed([
        ("编号", "No.", lambda r: r.id), ("居民", "Resident", lambda r: r.resident.name if r.resident_id else None),
        ("项目", "Item", _title), ("类别", "Category", _category),
        ("分值", "Points", lambda r: r.points), ("状态", "Status", lambda r: label(r.status, language())),
        ("发生时间", "Occurred", lambda r: local(r.occurred_at)), ("登记时间", "Logged", lambda r: local(r.created_at)),
        ("备注", "Note", lambda r: r.note), ("审核意见", "Review note", lambda r: r.review_note),
        ("公示截止", "Notice ends", lambda r: local(r.notice_ends_at)),
    ])


def headed_repair_columns(verified_hours):
    return headed([
        ("编号", "No.", lambda r: r.id), ("记录编号", "Record", lambda r: r.record_id),
        ("申请人", "Resident", lambda r: r.resident.name), ("项目", "Item", lambda r: _title(r.record)),
        ("扣分", "Points", lambda r: r.record.points), ("修复承诺", "Commitment", lambda r: r.commitment),
        ("申报志愿时长（小时）", "Reported volunteer hours", lambda r: r.volunteer_hours),
        ("核实志愿时长（小时）", "Verified volunteer hours", verified_hours),
        ("申请时间", "Applied", lambda r: local(r.created_at)), ("状态", "Status", lambda r: _status(r.status)),
        ("处理时间", "Decided", lambda r: local(r.decided_at)), ("处理意见", "Decision note", lambda r: r.decision_note),
    ])


RESIDENT_LIST_COLUMNS = [
    ("居民编号", "Resident", "resident_id"), ("姓名", "Name", "name"), ("村社区", "Village", _community),
    ("信用分", "Score", "score"), ("星级", "Stars", "stars"), ("严重失信记录", "Serious records", "serious_count"),
]

HOUSEHOLD_LIST_COLUMNS = [
    ("信用户编号", "Household", "household_id"), ("户名", "Household name", "name"), ("村社区", "Village", _community),
    ("人数", "Members", "members"), ("平均信用分", "Average score", "score"), ("星级", "Stars", "stars"),
]



def headed_list_columns(kind):
    return headed(HOUSEHOLD_LIST_COLUMNS if kind == "household" else RESIDENT_LIST_COLUMNS)
