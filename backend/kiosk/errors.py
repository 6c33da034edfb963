"""Error texts of the self-service kiosk (its codes belong to devices, residents and supermarket)."""
from ..errors import catalogue

catalogue("kiosk", {
    "kiosk_not_assigned": (409, "终端未分配超市", "Kiosk not assigned"),
}, messages={
    "This kiosk is not registered.": "该终端未登记。",
    "This kiosk has been disabled.": "该终端已停用。",
    "This kiosk is not assigned to a supermarket.": "该终端尚未分配给超市。",
    "This code belongs to no resident here.": "该二维码不属于本区居民。",
    "Enter the 6-digit PIN of this card.": "请输入这张卡的 6 位 PIN。",
    "This kiosk has been paired again; sign in again.": "该终端已重新配对，请重新登录。",
    "This kiosk now serves another supermarket; sign in again.": "该终端已改为服务另一家超市，请重新登录。",
})
