"""Error codes and texts of kiosk devices and their pairing."""
from ..errors import catalogue

catalogue("devices", {
    "invalid_pairing_code": (401, "配对码无效", "Invalid pairing code"),
    "device_disabled": ((403, 409), "终端已停用", "Kiosk disabled"),
    "device_unknown": (403, "终端未登记", "Kiosk not registered"),
}, messages={
    "No such device.": "没有这台终端。",
    "Unknown supermarket for this community.": "本社区没有这个超市。",
    "Unknown or expired pairing code.": "配对码无效或已过期。",
    "This device is disabled.": "该终端已停用。",
})
