"""The reports part of ``flask jobs run``: bring every district's monthly roll-ups up to date (see rollups.py)."""
from sqlalchemy import select

from ..extensions import db
from ..org.models import District
from .rollups import refresh


def run(now):
    """One pass over the districts; returns counts for the command's output."""
    counts = {"rollup_transfers": 0, "rollup_entries": 0, "rollup_moves": 0, "rollup_residents": 0, "rollup_busy": 0}
    for district_id in db.session.execute(select(District.id).order_by(District.id)).scalars():
        done = refresh(district_id, now)
        if done is None:
            counts["rollup_busy"] += 1
            continue
        counts["rollup_transfers"] += done["transfers"]
        counts["rollup_entries"] += done["entries"]
        counts["rollup_moves"] += done["moves"]
        counts["rollup_residents"] += done["residents"]
    return counts
