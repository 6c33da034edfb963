"""Error codes and texts of announcements (公告)."""
from ..errors import catalogue

catalogue("announcements", {
    "announcement_not_found": (404, "未找到公告", "Announcement not found"),
    "announcement_withdrawn": (409, "公告已撤回", "Announcement withdrawn"),
}, messages={
    "No such announcement.": "没有这条公告。",
    "This announcement has been withdrawn.": "该公告已撤回，不能再修改。",
    "Must be later than publish_at.": "须晚于发布时间。",
    "Required for a community announcement.": "社区公告须指定社区。",
    "A district-wide announcement names no community.": "全区公告不能指定社区。",
})
