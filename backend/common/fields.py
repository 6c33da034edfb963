"""Marshmallow fields shared by every domain."""
from datetime import timezone

from marshmallow import fields

from .time import to_naive_utc


def utc_iso(value):
    """A datetime as the API writes it: ISO 8601 in UTC with a ``Z`` (naive values are UTC); None stays None."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.isoformat() + "Z"
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


class UTCDateTime(fields.DateTime):
    """ISO 8601 in UTC with a ``Z``; accepts any offset on input and stores naive UTC."""

    def _serialize(self, value, attr, obj, **kwargs):
        return utc_iso(value)

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = super()._deserialize(value, attr, data, **kwargs)
        return to_naive_utc(parsed)
