"""Command-line entry points: ``flask seed …``, ``flask jobs run``, ``flask ledger check``.

Commands follow the request rule: services flush, the command commits once
at the end, and any exception rolls everything back.
"""
import sys
import time

import click
from flask.cli import AppGroup

from .common.time import utcnow
from .credit import jobs as credit_jobs
from .extensions import db
from .ledger.service import check_balances, total_of_all_accounts
from .reports import jobs as reports_jobs
from .volunteering import jobs as volunteering_jobs

seed_cli = AppGroup("seed", help="Create demo or large data sets.")
jobs_cli = AppGroup("jobs", help="Periodic jobs (idempotent; run from cron every minute).")
ledger_cli = AppGroup("ledger", help="Ledger maintenance.")

#: every domain's ``jobs.run(now)``, each returning a dict of counts; one commit per domain
#: (reports last: its roll-ups then already count what the others finalised and expired)
JOBS = {"credit": credit_jobs.run, "volunteering": volunteering_jobs.run, "reports": reports_jobs.run}


@seed_cli.command("demo")
def seed_demo():
    """Create the demo district (idempotent: running it again changes nothing)."""
    from seed.demo import seed_demo as run  # the seed package is a development tool, loaded only when asked

    started = time.monotonic()
    try:
        summary = run()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for key, value in summary.items():
        click.echo(f"{key}: {value}")
    click.echo(f"demo data ready in {time.monotonic() - started:.1f}s")


def wipe_database(app):
    """Drop every table of the configured database (Alembic's version table too) and the uploads.

    What ``flask seed reset`` does before ``flask db upgrade`` and ``flask seed demo`` build the demo
    again; refused in production, where it would destroy a district's archive.
    """
    import shutil
    from pathlib import Path

    from sqlalchemy import MetaData

    if app.config.get("ENV_NAME") == "production":
        raise click.ClickException("flask seed reset is for the demo and refuses to run in production.")
    db.session.remove()
    tables = MetaData()
    tables.reflect(bind=db.engine)
    tables.drop_all(bind=db.engine)
    db.engine.dispose()
    uploads = Path(app.config["UPLOAD_FOLDER"])
    if uploads.is_dir():
        shutil.rmtree(uploads)
    return len(tables.tables)


@seed_cli.command("reset")
@click.option("--yes", is_flag=True, help="Do not ask; drop everything.")
def seed_reset(yes):
    """Drop every table and uploaded file (the demo starts afresh after `flask db upgrade`)."""
    from flask import current_app

    if not yes:
        click.confirm(f"Drop every table of {db.engine.url.render_as_string(hide_password=True)}?", abort=True)
    dropped = wipe_database(current_app)
    click.echo(f"dropped {dropped} tables; run `flask db upgrade` and `flask seed demo` next")


@seed_cli.command("scale")
@click.option("--residents", type=click.IntRange(1), default=10_000, show_default=True)
@click.option("--records-per-resident", type=click.IntRange(0), default=25, show_default=True)
@click.option("--resume", is_flag=True, help="Only build the indexes an interrupted load has not built yet.")
def seed_scale(residents, records_per_resident, resume):
    """Bulk-load a large district into PostgreSQL for benchmarks (see seed/scale.py)."""
    # the seed package is a development tool, loaded only when asked
    from seed.scale import NothingToResume, ScaleNeedsPostgres, build_missing_indexes, seed_scale as run

    try:
        if resume:
            summary = {"index_seconds": build_missing_indexes(echo=click.echo)}
        else:
            summary = run(residents, records_per_resident, echo=click.echo)
        db.session.commit()
    except (ScaleNeedsPostgres, NothingToResume) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    except BaseException:
        db.session.rollback()
        raise
    click.echo(" ".join(f"{k}={v}" for k, v in summary.items()))


@jobs_cli.command("run")
@click.option("--only", multiple=True, type=click.Choice(sorted(JOBS)),
              help="Run only these parts (e.g. --only reports to refresh the reports' roll-ups).")
def jobs_run(only):
    """Finalise records whose notice ended, expire old points, refresh the reports' roll-ups, and the other due work."""
    now = utcnow()
    for name, run in JOBS.items():
        if only and name not in only:
            continue
        try:
            counts = run(now)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        for key, value in (counts or {}).items():
            click.echo(f"{name}.{key}: {value}")


@ledger_cli.command("check")
def ledger_check():
    """Recompute every balance from its transfers and report differences."""
    bad = check_balances()
    total = total_of_all_accounts()
    for row in bad:
        click.echo(
            f"account {row['id']} ({row['kind']} {row['owner_id']}): balance {row['balance']} "
            f"!= transfers {row['expected']}"
        )
    click.echo(f"accounts that differ: {len(bad)}; sum of all balances: {total}")
    if bad or total != 0:
        sys.exit(1)


def register(app):
    for group in (seed_cli, jobs_cli, ledger_cli):
        app.cli.add_command(group)
