"""Error codes and texts of the points ledger."""
from ..errors import catalogue

catalogue("ledger", {
    "insufficient_points": (409, "积分不足", "Not enough points"),
    "invalid_amount": (422, "积分数额无效", "Invalid amount"),
    "same_account": (422, "转出和转入账户相同", "Same account"),
}, messages={
    "This idempotency key was used for a different transfer.": "该幂等键已用于另一笔不同的转账。",
    "A transfer amount is a positive whole number.": "转账数额须为正整数。",
    "Must be a positive integer.": "须为正整数。",
    "A transfer needs two different accounts.": "转账需要两个不同的账户。",
    "The balance does not cover {amount} points.": "余额不足 {amount} 积分。",
    "No such transfer.": "没有这笔转账。",
})
