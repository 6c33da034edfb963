"""What the alliance tells a merchant about the credit a sale earned, or why it earned none, in zh and en.

The texts sit side by side under a stable code (the API's ``reason_code``);
``say`` picks the request's language (``Accept-Language``, zh-CN by default).
These are answers, not errors: when the error catalogue gains non-error texts,
this table moves there unchanged (code → zh, en, with ``str.format`` fields).
"""
from flask import has_request_context, request

LANGUAGES = ("zh", "en")

MESSAGES = {
    "credit_awarded": (
        "本单为商家赢得 {points} 分信用。",
        "This sale earned the shop {points} credit point(s)."),
    "daily_cap_reached": (
        "不加信用分：今日折扣加分已达上限（每天 {cap} 单），明天起又可加分。",
        "No credit: today's cap of {cap} credited discounts is reached; "
        "discounts earn the shop credit again tomorrow."),
    "no_credit_for_discounts": (
        "本区目前不为折扣给商家加信用分（每日上限为 0），本单不加信用分。",
        "No credit for this sale: the district gives no credit for discounts at present (daily cap 0)."),
    "item_inactive": (
        "“为诚信居民提供信用折扣”加分项目目前未启用，本单不加信用分。",
        "No credit for this sale: the district has switched off credit for discounts."),
    "merchant_not_active": (
        "商家状态为“{status_zh}”：不能给联盟折扣，也不会因折扣加信用分。",
        "The shop is {status_en}: it gives no alliance discounts and earns no credit for them."),
    "can_earn_today": (
        "今天还可以为 {left} 单折扣加信用分（每天最多 {cap} 单）。",
        "The shop can still earn credit for {left} more discount(s) today (at most {cap} a day)."),
    "no_credit_given": (
        "本单未加信用分。",
        "This sale earned no credit."),
    "credit_taken_back": (
        "销售已作废，本单所得的 {points} 分信用已收回。",
        "The sale is voided: the {points} credit point(s) it earned were taken back."),
    "no_credit_to_take_back": (
        "销售已作废；本单未加过信用分，无需收回。",
        "The sale is voided: it had earned no credit, so none was taken back."),
}


def request_language():
    """'en' when the request's Accept-Language ranks English above Chinese, else 'zh'."""
    if has_request_context():
        for tag, _quality in request.accept_languages:  # best first
            primary = tag.split("-")[0].split("_")[0].lower()
            if primary in LANGUAGES:
                return primary
    return "zh"


def say(code, language=None, **fields):
    """The text for ``code`` in ``language`` (default: the request's), its fields filled in."""
    zh, en = MESSAGES[code]
    return (en if (language or request_language()) == "en" else zh).format(**fields)
