"""The audit trail's tests build on the credit tests' village, staff and helpers."""
from tests.credit.conftest import auth, log_record, make_item, village  # noqa: F401
