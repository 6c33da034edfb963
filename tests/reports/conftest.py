from tests.ledger.conftest import auth  # noqa: F401 — headers with a fresh token
