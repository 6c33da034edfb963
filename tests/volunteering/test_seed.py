"""The demo's volunteer activities: every state, and seeding twice adds nothing."""
import random

from sqlalchemy import func, select

from backend.credit.models import CreditRecord
from backend.extensions import db
from backend.volunteering.models import VolunteerActivity, VolunteerParticipation
from seed import volunteering
from tests.volunteering.conftest import add_item


def test_demo_has_activities_in_every_state_and_reseeding_adds_nothing(app, district, make_community, make_staff,
                                                                       make_resident):
    communities = {code: make_community(code=code) for code in ("XL", "DL", "MSC", "LSC")}
    users = {"worker1": make_staff(worker=[communities["XL"], communities["DL"]], username="worker1"),
             "worker2": make_staff(worker=[communities["MSC"], communities["LSC"]], username="worker2")}
    residents = [make_resident(communities[code], birth_year=1960 + n) for n in range(12)
                 for code in ("XL", "DL", "MSC", "LSC")]
    add_item(district)
    context = {"district": district, "communities": communities, "users": users, "residents": residents,
               "rng": random.Random(7), "summary": {}}
    volunteering.seed(context)
    db.session.commit()
    assert context["summary"]["volunteer_activities_created"] == 7
    states = set(db.session.execute(select(VolunteerActivity.status)).scalars())
    assert states == {"draft", "open", "running", "closed", "settled", "cancelled"}
    settled = db.session.execute(select(VolunteerActivity).where(VolunteerActivity.status == "settled")).scalar_one()
    credited = db.session.execute(select(func.count()).select_from(VolunteerParticipation).where(
        VolunteerParticipation.activity_id == settled.id, VolunteerParticipation.credit_record_id.is_not(None))
    ).scalar_one()
    assert credited > 0 and db.session.query(CreditRecord).count() == credited
    counts = (db.session.query(VolunteerActivity).count(), db.session.query(VolunteerParticipation).count(),
              db.session.query(CreditRecord).count())
    volunteering.seed(context)
    db.session.commit()
    assert context["summary"]["volunteer_activities_created"] == 0
    assert counts == (db.session.query(VolunteerActivity).count(), db.session.query(VolunteerParticipation).count(),
                      db.session.query(CreditRecord).count())
