"""The router's refusals. Use cases raise them; the API turns them into problem documents
(api/deps.py), and the transaction is not committed, so a refusal changes nothing."""

from __future__ import annotations


class RouterError(Exception):
    """A request the router refuses; ``message_zh`` is what the person reads."""

    def __init__(self, message_zh: str) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh


class ReviewNotFound(RouterError):
    def __init__(self) -> None:
        super().__init__("未找到该审核事项。")


class ReviewAlreadyDecided(RouterError):
    def __init__(self, status: str) -> None:
        super().__init__(f"该审核事项已处理（{status}），不能重复决定。")
        self.status = status


class InvalidDecision(RouterError):
    """A reviewer's decision that contradicts the taxonomy, the catalog or the regulation;
    ``field`` names the part of the decision that is wrong."""

    def __init__(self, field: str, message_zh: str) -> None:
        super().__init__(message_zh)
        self.field = field


class TooManyBuckets(RouterError):
    """A statistics series that would be no chart (thousands of buckets)."""
