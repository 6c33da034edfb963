"""Error codes and texts of residents, their ID numbers, phones and card PINs."""
from ..errors import catalogue

catalogue("residents", {
    "resident_not_found": (404, "未找到居民", "Resident not found"),
    "resident_inactive": ((403, 409), "居民不在册", "Resident not active"),
    "resident_not_active": (409, "居民不在册", "Resident not active"),
    "id_number_taken": (409, "身份证号已登记", "ID number already registered"),
    "phone_taken": (409, "手机号已被使用", "Phone number taken"),
    "pin_locked": (423, "PIN 已锁定", "PIN locked"),
    "pin_not_set": (401, "未设置 PIN", "No PIN set"),
    "pin_required": (401, "需要 PIN", "PIN required"),
    "wrong_pin": (401, "PIN 错误", "Wrong PIN"),
}, messages={
    "No such resident.": "没有这位居民。",
    "Not a household of this community.": "不是本社区的家庭户。",
    "Not a valid 18-character ID number.": "不是有效的 18 位身份证号。",
    "A resident with this ID number is already registered.": "该身份证号已有居民登记。",
    "Already registered.": "已登记。",
    "This phone number belongs to another resident.": "该手机号已属于另一位居民。",
    "Too many wrong PINs; the card is locked for a while.": "PIN 错误次数过多，此卡已暂时锁定。",
    "Too many wrong PINs; the card is locked for 15 minutes.": "PIN 错误次数过多，此卡已锁定 15 分钟。",
    "No PIN has been set for this card; ask a community worker.": "此卡尚未设置 PIN，请联系社区工作人员。",
    "Wrong PIN; {left} tries left.": "PIN 错误，还可再试 {left} 次。",
    "Digits only, 5 to 20.": "只能是数字，5 至 20 位。",
    "Exactly 6 digits.": "须为 6 位数字。",
}, labels={
    "active": ("在册", "active"),
    "moved_out": ("已迁出", "moved out"),
    "deceased": ("已故", "deceased"),
})
