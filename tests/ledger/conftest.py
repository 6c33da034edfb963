import pytest

from backend.auth.service import issue_tokens, roles_claim
from backend.extensions import db
from backend.residents.models import Resident


@pytest.fixture
def auth(app):
    """``auth(user_or_resident)`` → headers with a fresh token (no login round trip)."""

    def headers(account):
        if isinstance(account, Resident):
            tokens = issue_tokens("resident", account.id, account.district_id, {"community_id": account.community_id},
                                  refresh=False)
        else:
            tokens = issue_tokens("staff", account.id, account.district_id,
                                  {"roles": roles_claim(account), "name": account.display_name}, refresh=False)
        db.session.commit()
        return {"Authorization": f"Bearer {tokens['access_token']}"}

    return headers
