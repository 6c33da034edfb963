"""Error codes and texts of towns, communities and households."""
from ..errors import catalogue

catalogue("org", {
    "code_taken": (409, "编码已被使用", "Code already used"),
    "not_empty": (409, "仍有下属数据", "Not empty"),
    "community_not_found": (404, "未找到社区", "Community not found"),
    "household_not_found": (404, "未找到家庭户", "Household not found"),
}, messages={
    "No such {name}.": "没有这个{name}。",
    "This code is already used.": "该编码已被使用。",
    "Already used.": "已被使用。",
    "This town still has communities.": "该镇街下仍有社区，不能删除。",
    "This community still has households or residents.": "该社区仍有家庭户或居民，不能删除。",
    "This household still has members.": "该家庭户仍有成员，不能删除。",
    "Unknown town.": "未知的镇街。",
    "Unknown community.": "未知的社区。",
    "No such community.": "没有这个社区。",
    "No such household.": "没有这个家庭户。",
    "Letters, digits, - and _ only (1-32).": "只能包含字母、数字、- 和 _（1 至 32 个字符）。",
    "Must not be blank.": "不能为空。",
}, labels={
    "town": ("镇街", "town"),
    "community": ("社区", "community"),
    "household": ("家庭户", "household"),
})
