from tests.credit.conftest import make_item, village  # noqa: F401 — catalogue items and a village with its staff
from tests.ledger.conftest import auth  # noqa: F401 — headers with a fresh token
