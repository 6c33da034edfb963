"""Imports every domain's models so the metadata (and Alembic) sees every table."""
from .announcements import models as announcements_models  # noqa: F401
from .audit import models as audit_models  # noqa: F401
from .auth import models as auth_models  # noqa: F401
from .cards import models as cards_models  # noqa: F401
from .common import idempotency  # noqa: F401
from .credit import models as credit_models  # noqa: F401
from .devices import models as devices_models  # noqa: F401
from .ledger import models as ledger_models  # noqa: F401
from .merchants import models as merchants_models  # noqa: F401
from .org import models as org_models  # noqa: F401
from .reports import models as reports_models  # noqa: F401
from .residents import models as residents_models  # noqa: F401
from .supermarket import models as supermarket_models  # noqa: F401
from .volunteering import models as volunteering_models  # noqa: F401
