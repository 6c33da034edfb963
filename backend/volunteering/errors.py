"""Volunteering errors, each with a stable ``code`` (mapped to problem+json by ``backend.errors``),
and the catalogue of their zh/en texts.

Most texts of this domain are written in both languages at the raise site; the table adds
the English-only ones and those that carry an activity state.
"""
from ..errors import Conflict, NotFound, ValidationFailed, catalogue


class ActivityNotFound(NotFound):
    code = "activity_not_found"
    title = "No such activity"


class WrongActivityState(Conflict):
    code = "wrong_activity_state"
    title = "Not possible in this state of the activity"


class OutsideActivityTime(ValidationFailed):
    code = "outside_activity_time"
    title = "Outside the activity's time"


class WrongCommunity(ValidationFailed):
    code = "wrong_community"
    title = "Resident not of this activity's communities"


class BelowMinimumAge(ValidationFailed):
    code = "below_minimum_age"
    title = "Below the activity's minimum age"


class ActivityFull(Conflict):
    code = "activity_full"
    title = "No place left"


class NotSignedUp(Conflict):
    code = "not_signed_up"
    title = "Not signed up"


class OnWaitingList(Conflict):
    code = "on_waiting_list"
    title = "Still on the waiting list"


class NotCheckedIn(Conflict):
    code = "not_checked_in"
    title = "Not checked in"


class AlreadyCheckedOut(Conflict):
    code = "already_checked_out"
    title = "Already checked out"


class AttendingElsewhere(Conflict):
    code = "attending_elsewhere"
    title = "Attending an overlapping activity"


class CertificateNotFound(NotFound):
    code = "certificate_not_found"
    title = "No such certificate"


catalogue("volunteering", {
    "activity_not_found": (404, "未找到活动", "No such activity"),
    "wrong_activity_state": (409, "活动当前状态不允许此操作", "Not possible in this state of the activity"),
    "outside_activity_time": (422, "不在活动时间内", "Outside the activity's time"),
    "below_minimum_age": (422, "未达到最低年龄", "Below the activity's minimum age"),
    "activity_full": (409, "名额已满", "No place left"),
    "not_signed_up": (409, "未报名", "Not signed up"),
    "on_waiting_list": (409, "仍在候补名单上", "Still on the waiting list"),
    "not_checked_in": (409, "尚未签到", "Not checked in"),
    "already_checked_in": (409, "已签到", "Already checked in"),
    "already_checked_out": (409, "已签退", "Already checked out"),
    "attending_elsewhere": (409, "正在参加其他活动", "Attending an overlapping activity"),
    "certificate_not_found": (404, "未找到证明", "No such certificate"),
    "participant_not_found": (404, "未找到参与者", "No such participant"),
    "capacity_below_confirmed": (409, "名额少于已报名人数", "Capacity below confirmed places"),
    "sign_up_closed": (409, "报名已截止", "Sign-up closed"),
    "invalid_quality": (422, "服务质量系数无效", "Invalid quality"),
    "not_volunteering_item": (422, "不是志愿服务项目", "Not a volunteering item"),
}, messages={
    "Cannot {doing}: the activity is {status} (possible when {statuses}).":
        "活动当前状态（{status}）不能进行此操作，须为：{statuses}。",
    "A check-in time is needed.": "需要签到时间。",
    "An activity lasts at most 24 hours; plan shifts.": "一个活动最长 24 小时，请分班次安排。",
    "At least {confirmed}.": "至少 {confirmed}。",
    "Community {id} is not taking part.": "社区 {id} 没有参加本活动。",
    "Fixed once open.": "发布后不能更改。",
    "Give checked_in_at, checked_out_at or both.": "请给出 checked_in_at、checked_out_at 或两者。",
    "Give exactly one of code or card_number.": "code 和 card_number 须且只能给出一个。",
    "Give exactly one of code, card_number or resident_id.": "code、card_number 和 resident_id 须且只能给出一个。",
    "In the future.": "在将来。",
    "Must be after the start.": "须晚于开始时间。",
    "Must be in the future.": "须为将来的时间。",
    "Must not be before the check-in.": "不能早于签到时间。",
    "Not a variable-points item.": "不是按量计分的项目。",
    "Not an active volunteering item on the activity's date.": "活动当天不是有效的志愿服务项目。",
    "Not yours: {ids}.": "不是您负责的社区：{ids}。",
    "One of {allowed}.": "须为以下之一：{allowed}。",
    "Outside the activity's time.": "不在活动时间内。",
    "The activity is closed: a check-out time is needed.": "活动已结束，需要签退时间。",
    "{start_utc}Z – {end_utc}Z": ("{start_utc} 至 {end_utc}（当地时间）", "{start_utc} to {end_utc} (local time)"),
}, labels={
    "draft": ("草稿", "a draft"),
    "open": ("报名中", "open for sign-up"),
    "running": ("进行中", "running"),
    "closed": ("已结束", "closed"),
    "settled": ("已结算", "settled"),
    "cancelled": ("已取消", "cancelled"),
})
