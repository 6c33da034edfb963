"""Error codes and texts of sign-in and staff accounts (see ``backend/errors.py``, catalogue)."""
from ..errors import catalogue

catalogue("auth", {
    "invalid_credentials": (401, "用户名或密码错误", "Wrong sign-in details"),
    "account_disabled": (401, "账户已停用", "Account disabled"),
    "username_taken": (409, "用户名已被占用", "Username taken"),
}, messages={
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
