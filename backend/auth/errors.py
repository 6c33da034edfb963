"""Error codes and texts of sign-in and staff accounts (see ``backend/errors.py``, catalogue)."""
from ..errors import catalogue

catalogue("auth", {
    "invalid_credentials": (401, "用户名或密码错误", "Wrong sign-in details"),
    "account_disabled": (401, "账户已停用", "Account disabled"),
    "username_taken": (409, "用户名已被占用", "Username taken"),
    "account_inactive": (401, "账户已不再有效", "Account no longer active"),
    "account_locked": (423, "账户已暂时锁定", "Account locked for a while"),
    "last_district_admin": (409, "须保留至少一名区管理员", "The last district admin stays"),
}, messages={
    "Exactly 8 digits.": "须为 8 位数字。",
    "The last 4 characters of the ID number.": "身份证号的后 4 位。",
    "This resident is no longer active here; ask a community worker.": "该居民在本地已不再有效，请联系社区工作人员。",
    "This kind of session cannot be refreshed.": "这种会话不能续期，请重新登录。",
    "Too many wrong passwords for this account; try again in {minutes} minute.":
        "该账户密码错误次数过多，请 {minutes} 分钟后再试。",
    "Too many wrong passwords for this account; try again in {minutes} minutes.":
        "该账户密码错误次数过多，请 {minutes} 分钟后再试。",
    "This is the district's last active district admin: make another admin first.":
        "这是本区最后一名在职的区管理员：请先任命另一名管理员。",
    "Wrong username or password.": "用户名或密码错误。",
    "Wrong phone number or password.": "手机号或密码错误。",
    "This account is disabled.": "该账户已停用。",
    "This username is taken.": "该用户名已被占用。",
    "Already taken.": "已被占用。",
    "No such staff account.": "没有这个工作人员账户。",
    "Role {role} needs a community_id.": "角色“{role}”需要指定社区（community_id）。",
    "Unknown community ids: {ids}": "未知的社区编号：{ids}",
    "Merchant staff have no community roles.": "商户员工没有社区角色。",
    "Staff need at least one role.": "工作人员至少需要一个角色。",
    "Unknown merchant.": "未知的商户。",
})
