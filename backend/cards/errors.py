"""Error codes and texts of cards, phone codes and scanning."""
from ..errors import catalogue

catalogue("cards", {
    "card_not_found": (404, "未找到卡片", "Card not found"),
    "code_not_found": (404, "不是您的动态码", "Not one of your phone codes"),
    "other_community": (403, "其他村社区的居民", "Resident of another village"),
    "card_already_revoked": (409, "卡片已作废", "Card already revoked"),
    "card_revoked": (410, "卡片已作废", "Card revoked"),
    "invalid_code": (400, "无法识别的二维码", "Unreadable or forged code"),
    "code_expired": (410, "二维码已过期", "Code expired"),
    "code_already_used": (409, "二维码已使用", "Code already used"),
    "wrong_code_kind": (422, "二维码类型不符", "Wrong kind of code"),
    "other_district": ((404, 422), "其他区的二维码", "Code of another district"),
}, messages={
    "This is not one of your phone codes.": "这不是您的手机动态码。",
    "This resident belongs to another village; only its own community staff can open the archive.":
        "这位居民属于其他村社区，只有其所在社区的工作人员才能查看档案。",
    "This shop has no active door card; the credit centre issues it on approval.":
        "本店没有有效的门牌二维码，信用中心在审核通过时发放。",
    "No such card.": "没有这张卡。",
    "Only active residents get a card.": "只有在册居民才能领卡。",
    "Only merchants of the alliance get a door card.": "只有联盟商家才能领取门店卡。",
    "This card is already revoked.": "这张卡已作废。",
    "This card has been revoked; print the new card instead.": "这张卡已作废，请打印新卡。",
    "This card has been revoked; please use the new card.": "这张卡已作废，请使用新卡。",
    "You have no card yet; a community worker issues one.": "您还没有卡，请找社区工作人员办理。",
    "Your shop has no door card; the credit centre issues it on approval.": "您的店铺还没有门店卡，信用中心审核通过后发放。",
    "Only active residents get a code.": "只有在册居民才能生成付款码。",
    "A {kind} cannot be used here.": "此处不能使用{kind}。",
    "This code belongs to no active resident.": "该二维码不属于任何在册居民。",
    "This card belongs to no active resident.": "这张卡不属于任何在册居民。",
    "This card belongs to no resident.": "这张卡不属于任何居民。",
    "No card with this number.": "没有这个卡号。",
    "Only a phone code can be spent.": "只有手机动态码可以用于消费。",
    "This code has already been used; show a fresh one.": "该二维码已使用，请出示新的二维码。",
    "This code has already been used; ask for a fresh one.": "该二维码已使用，请让顾客出示新的二维码。",
    "This code belongs to another district.": "该二维码属于其他区。",
    "This is not a Chengxin code.": "这不是诚信二维码。",
    "This code was not issued by this credit centre.": "该二维码不是本信用中心签发的。",
    "This code has expired; show a fresh one.": "该二维码已过期，请出示新的二维码。",
    "These digits are not a valid phone code; check them and type them again.":
        "这串数字不是有效的手机动态码，请核对后重新输入。",
    "This phone code number has expired; ask for a fresh one.": "该动态码数字已过期，请让顾客刷新后重新报码。",
    "Too many wrong code numbers; wait a minute and try again.": "输错数字码的次数太多，请一分钟后再试。",
    "This card is unknown.": "无法识别这张卡。",
    "Give exactly one of {names}.": "{names} 须且只能给出一个。",
    "Choose 1 to 5 stars; a comment has at most 200 characters.": "请选择1至5星，评语不超过200字。",
}, labels={
    "resident card": ("打印的诚信卡", "printed resident card"),
    "merchant card": ("商户门店卡", "merchant card"),
    "dynamic": ("手机动态码", "phone code"),
})
