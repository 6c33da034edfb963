"""The benchmark: gunicorn + PostgreSQL on loopback, loaded by wrk, at two data sizes.

    scripts/bench                      # 10k residents, then 800k residents / 20M records
    scripts/bench --sizes 10000:25     # one size
    scripts/bench --duration 5 --sizes 300:3 --output /tmp/b.md   # the smoke test

For each size it loads a database with `flask seed scale` (kept between runs
unless --reload), prepares the requests (bench/prepare.py), starts gunicorn
with the production configuration, and for each path runs wrk for a fixed
time at 16 connections. In the same run it measures the baselines (the
minimal database work of a path, no framework: bench/baseline.py) and
PostgreSQL's own ceiling (`pgbench -N`, 8 clients). Results go to
BENCHMARKS.md with the machine's description.
"""
import argparse
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATHS = [
    # name, data file, baseline, description
    ("home", "home.tsv", "read", "resident home: score, stars, points, last 20 records"),
    ("sale", "sale.tsv", "write", "merchant discount: validate a fresh phone code + record the sale"),
    ("redeem", "redeem.tsv", "write", "kiosk redemption of one item"),
    ("log_record", "log_record.tsv", "write", "worker logs a credit record"),
    ("merchant_page", "merchant_page.tsv", "read", "public merchant card page /c/<token>"),
    ("code_refresh", "code_refresh.tsv", "read", "resident's phone asks for a fresh dynamic code"),
    ("check_in", "check_in.tsv", "write", "worker scans a card at a volunteering check-in"),
    ("approve", "approve.tsv", "write", "reviewer approves a pending record (into public notice)"),
    ("villages_report", "villages_report.tsv", "read", "district report: villages by score, stars, points"),
]
#: the district reports besides villages_report: each is a measured path too (against the read baseline)
REPORT_PATHS = [
    ("points_report", "points_report.tsv", "read", "district report: points issued, spent, expired, held by month"),
    ("records_report", "records_report.tsv", "read", "district report: good and bad records by category and month"),
    ("backlog_report", "backlog_report.tsv", "read", "district report: pending, in notice, disputed per village"),
]
PATHS += REPORT_PATHS
#: what bench/prepare.py writes the report requests for, and what the one-shot step times once each
REPORT_URLS = {"villages_report": "/api/v1/reports/villages", "points_report": "/api/v1/reports/points",
               "records_report": "/api/v1/reports/records", "backlog_report": "/api/v1/reports/backlog",
               "households_report": "/api/v1/reports/households"}
#: the console's residents list as XLSX, every resident: its peak memory is measured once per size
RESIDENTS_EXPORT = "/api/v1/residents/export.xlsx"
BASELINES = [("baseline_read", "baseline_read.tsv"), ("baseline_write", "baseline_write.tsv")]
WRITE_PATHS = ("sale", "redeem", "log_record", "check_in", "approve", "baseline_write")
SECRETS = {
    "CHENGXIN_ENV": "production",
    "SECRET_KEY": "bench-secret-0123456789abcdef0123456789abcdef",
    "JWT_SECRET_KEY": "bench-jwt-0123456789abcdef0123456789abcdef",
    "ID_HASH_KEY": "bench-id-0123456789abcdef0123456789abcdef",
    "TOKEN_SIGNING_KEYS": "72e3ab69:W7YKNoZ1kyluP3GQqFdTZHZq-IZrgsuGCsVTO5P7sXw",
    "RATELIMIT_ENABLED": "0",
    "DYNAMIC_CODE_SECONDS": "21600",
}


def log(message):
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, env, **kw):
    return subprocess.run(cmd, env=env, check=True, cwd=ROOT, **kw)


def psql(server, sql, db="postgres"):
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", f"{server}/{db}", "-c", sql], check=True,
                   stdout=subprocess.DEVNULL)


def psql_value(server, sql, db="postgres"):
    """The one value a query answers, as text; None when psql fails (no such database or table)."""
    out = subprocess.run(["psql", "-tA", f"{server}/{db}", "-c", sql], check=False, capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def database_exists(server, name):
    return psql_value(server, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def load_note(server, name):
    """How far ``flask seed scale`` got on a database and how long it took (its note), or None."""
    from seed.scale import parse_load_note

    return parse_load_note(psql_value(
        server, f"SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{name}'"))


def load(server, name, residents, records, env, reload):
    # the data and its note are committed together: without the note (an interrupted load's empty
    # schema, or an older generator's load) it is loaded again; an interrupted index rebuild is resumed
    note = None if reload else load_note(server, name)
    if note is None and database_exists(server, name):
        psql(server, f'DROP DATABASE "{name}" WITH (FORCE)')
    scale = [sys.executable, "-m", "flask", "seed", "scale"]
    if note is not None:
        if note["complete"]:
            log(f"reusing loaded database {name} (data {note['data']} s, indexes {note['indexes']} s)")
            return note
        log(f"resuming the index rebuild of {name} (data {note['data']} s, indexes {note['indexes']} s so far)")
        run(scale + ["--resume"], env)
    else:
        psql(server, f'CREATE DATABASE "{name}"')
        run([sys.executable, "-m", "flask", "db", "upgrade"], env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        log(f"loading {residents:,} residents × {records} records (flask seed scale)")
        run(scale + ["--residents", str(residents), "--records-per-resident", str(records)], env)
    psql(server, "VACUUM ANALYZE", db=name)
    return load_note(server, name)


def start_gunicorn(env, workers, port, timeout=30):
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "--backlog", "512", "--timeout", str(timeout), "bench.wsgi_bench:app"],
        env=env, cwd=ROOT, start_new_session=True)
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2) as response:
                if response.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("gunicorn did not come up")


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text):
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url, datafile, duration, connections, threads=2):
    env = {**os.environ, "BENCH_DATA": str(datafile), "BENCH_THREADS": str(threads)}
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s",
         "-s", str(ROOT / "bench" / "request.lua"), url],
        env=env, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sample = re.search(r"sample error: (.*)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "requests": total, "errors": int(errors.group(1)) if errors else 0,
            "sample_error": sample.group(1) if sample else None}


def split_for_warmup(datafile):
    """The last tenth of a path's requests warm it up; the rest are measured."""
    lines = datafile.read_text().splitlines(keepends=True)
    cut = max(1, min(len(lines) // 10, 2000))
    warm, main_part = datafile.with_suffix(".warm"), datafile.with_suffix(".main")
    warm.write_text("".join(lines[-cut:]))
    main_part.write_text("".join(lines[:-cut] or lines))
    return warm, main_part


def pgbench(server, duration, scale):
    name = f"bench_pgbench_s{scale}"
    if not database_exists(server, name):
        psql(server, f'CREATE DATABASE "{name}"')
        subprocess.run(["pgbench", "-i", "-q", "-s", str(scale), f"{server}/{name}"], check=True,
                       capture_output=True)
    out = subprocess.run(["pgbench", "-N", "-c", "8", "-j", "2", "-T", str(duration), f"{server}/{name}"],
                         check=True, capture_output=True, text=True).stdout
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def machine():
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in open("/proc/meminfo") if line.startswith("MemTotal")),
               0)
    pg = subprocess.run(["postgres", "--version"], capture_output=True, text=True).stdout.strip() or \
        subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} cores ({cpu}), {mem} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, {pg}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", required=True, help="postgresql://user@host:port (no database)")
    parser.add_argument("--sizes", default="10000:25,800000:25", help="residents:records-per-resident,…")
    parser.add_argument("--duration", type=int, default=15, help="seconds per path")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per path")
    parser.add_argument("--pgbench-scale", type=int, default=10, help="pgbench -i scale of the ceiling database")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--reload", action="store_true", help="reload data even if a loaded database exists")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes.split(","):
        residents, records = (int(x) for x in size.split(":"))
        name = f"bench_r{residents}_m{records}"
        env = {**os.environ, **SECRETS, "FLASK_APP": "wsgi", "PYTHONPATH": str(ROOT),
               "DATABASE_URL": f"{args.server}/{name}"}
        loaded = load(args.server, name, residents, records, env, args.reload)
        rollup_seconds = refresh_rollups(env)
        # the ceiling next to the paths it is compared with: this machine's disk and CPU drift over an hour's load
        ceiling = pgbench(args.server, args.duration, args.pgbench_scale)
        log(f"pgbench -N ceiling: {ceiling:,.0f} tps")
        with tempfile.TemporaryDirectory() as tmp:
            # approvals are single use (a second one is a 409): enough pending records for the fastest
            # approve this machine has shown (several hundred a second at 6 statements), warm-up included, with room to spare
            pending = 1000 * (args.duration + args.warmup)
            run([sys.executable, "-m", "bench.prepare", tmp], {**env, "BENCH_MIN_PENDING": str(pending)})
            checkpoint(args.server)
            warm_cache = prewarm(args.server, name)
            port = free_port()
            proc = start_gunicorn(env, args.workers, port)
            try:
                measured = {}
                for path, datafile, *_ in PATHS + [(n, f, None, None) for n, f in BASELINES]:
                    url = f"http://127.0.0.1:{port}"
                    warm, main_part = split_for_warmup(Path(tmp) / datafile)
                    wrk(url, warm, args.warmup, 2)  # warm-up on its own requests: phone codes are single use
                    measured[path] = wrk(url, main_part, args.duration, args.connections)
                    m = measured[path]
                    log(f"{name} {path:14} {m['rps']:8.0f} req/s  p50 {m['p50']:6.1f} ms  p99 {m['p99']:6.1f} ms  "
                        f"non-2xx {m['errors']}" + (f"  e.g. {m['sample_error']}" if m["errors"] else ""))
            finally:
                stop(proc)
            one_shot = measure_reports_once(env, Path(tmp), rollup_seconds)
        results.append({"name": name, "residents": residents, "records": records, "load": loaded,
                         "ceiling": ceiling, "measured": measured, "one_shot": one_shot,
                        "prewarm": warm_cache})
        # written after every size: a later size's hour-long load must not lose the earlier results
        Path(args.output).write_text(render(results, args))
        log(f"wrote {args.output}")
    return results


def checkpoint(server):
    """Write out what the load, its ``VACUUM ANALYZE`` (hint bits and visibility maps on every page: gigabytes
    at 800k), the roll-ups and the preparation left dirty, so that the paths measured first (home) do not
    share the disk and a core with a checkpoint flushing them, as a server in service would not."""
    started = time.monotonic()
    psql(server, "CHECKPOINT")
    log(f"CHECKPOINT: {time.monotonic() - started:.0f} s")


def prewarm(server, name):
    """Read the database into PostgreSQL's buffer cache, smallest relation first, as far as 90 % of
    ``shared_buffers`` holds: the cache of a server in service (what ``pg_prewarm``'s autoprewarm gives
    back after a restart), not the cold one of a database loaded a minute ago. Returns what was read."""
    started = time.monotonic()
    psql(server, "CREATE EXTENSION IF NOT EXISTS pg_prewarm", db=name)
    room = int(0.9 * int(psql_value(server, "SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers'")))
    rows = psql_value(server, (
        "SELECT string_agg(c.oid || ' ' || pg_relation_size(c.oid), ',' ORDER BY pg_relation_size(c.oid)) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 'm')"), db=name)
    total = everything = 0
    chosen = []
    for item in (rows or "").split(","):
        oid, size = (int(x) for x in item.split())
        everything += size
        if total + size <= room:
            chosen.append(oid)
            total += size
    for start in range(0, len(chosen), 50):
        psql(server, "SELECT " + ", ".join(f"pg_prewarm({oid})" for oid in chosen[start:start + 50]), db=name)
    seconds = time.monotonic() - started
    log(f"pg_prewarm: {total / 2**30:.1f} of {everything / 2**30:.1f} GiB in {seconds:.0f} s")
    return {"gib": total / 2**30, "of_gib": everything / 2**30, "seconds": seconds}


def refresh_rollups(env):
    """Bring the reports' monthly roll-ups up to date, as cron does every few minutes; returns the seconds.

    On a freshly loaded database this is the first, full build (it counts every transfer and score entry;
    about nine minutes at 800,000 residents on a busy machine); on a reused one only what the last run's
    writes added."""
    started = time.monotonic()
    # a database loaded by an older build is reused as it is: bring its schema up to date first
    run([sys.executable, "-m", "flask", "db", "upgrade"], env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run([sys.executable, "-m", "flask", "jobs", "run", "--only", "reports"], env, stdout=subprocess.DEVNULL)
    seconds = time.monotonic() - started
    log(f"reports' roll-ups refreshed in {seconds:,.1f} s")
    return seconds


def _timed_get(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            while response.read(1 << 16):
                pass
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return (time.monotonic() - started) * 1000, status


def _worker_peak_mb(master):
    """The peak resident memory (VmHWM) of a one-worker gunicorn's worker process, in MB."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    for line in Path(f"/proc/{children[0]}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def measure_reports_once(env, tmp, rollup_seconds):
    """Each report requested once on a quiet single worker (the first answer, then the best of three more),
    and the peak memory of the worker that streams every resident into XLSX (skipped with a note while the
    export endpoint is not there: it answers 404)."""
    token = (tmp / "admin_token").read_text().strip()
    out = {"rollup_seconds": rollup_seconds, "latency": {}, "export": None}
    port = free_port()
    # the computation each time, not the answer a worker keeps for REPORT_CACHE_SECONDS (the wrk paths
    # measure that one: their requests are one admin asking the same question)
    proc = start_gunicorn({**env, "REPORT_CACHE_SECONDS": "0"}, 1, port)
    try:
        for name, path in REPORT_URLS.items():
            timings = [_timed_get(f"http://127.0.0.1:{port}{path}", token) for _ in range(4)]
            out["latency"][name] = {"first": timings[0][0], "best": min(t for t, _s in timings[1:]),
                                    "status": timings[0][1]}
            log(f"one request of {name}: first {timings[0][0]:,.0f} ms, best {out['latency'][name]['best']:,.0f} ms "
                f"(HTTP {timings[0][1]})")
    finally:
        stop(proc)
    # a fresh worker (its peak memory is the export's), allowed as long as README's gunicorn line allows:
    # 800,000 residents take longer than gunicorn's default 30 s
    proc = start_gunicorn(env, 1, port, timeout=300)
    try:
        idle = _worker_peak_mb(proc)
        seconds, status = _timed_get(f"http://127.0.0.1:{port}{RESIDENTS_EXPORT}", token)
        if status == 404:
            out["export"] = {"skipped": f"GET {RESIDENTS_EXPORT} answered 404 (the residents export is not in this "
                                        "build yet): not measured"}
        else:
            out["export"] = {"status": status, "seconds": seconds / 1000, "idle_mb": idle,
                             "peak_mb": _worker_peak_mb(proc)}
        log(f"residents export: {out['export']}")
    finally:
        stop(proc)
    return out


def render_one_shot(one_shot):
    """The one-request latency of each report and the export's peak memory, as Markdown lines."""
    if not one_shot:
        return []
    lines = [f"District reports, one request each on a single quiet worker, whole district, default months "
             f"(roll-ups refreshed just before, in {one_shot['rollup_seconds']:,.1f} s):", "",
             "| report | first request ms | best of the next three ms | HTTP |", "| --- | ---: | ---: | ---: |"]
    for name, t in one_shot["latency"].items():
        lines.append(f"| {name} | {t['first']:,.0f} | {t['best']:,.0f} | {t['status']} |")
    export = one_shot["export"] or {}
    if "skipped" in export:
        lines += ["", f"Residents' XLSX export: {export['skipped']}."]
    elif export:
        lines += ["", (f"Residents' XLSX export (`GET {RESIDENTS_EXPORT}`, every resident): HTTP {export['status']} in "
                       f"{export['seconds']:,.1f} s; the worker's peak RSS {export['peak_mb']:,.0f} MB "
                       f"({export['idle_mb']:,.0f} MB before the request).")]
    return lines + [""]


def ratio(part, whole):
    """``part / whole`` for the table; a baseline that answered nothing in a short run gives n/a."""
    return f"{part / whole:.2f}" if whole else "n/a"


def render(results, args):
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `scripts/bench` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC — do not edit by hand.",
        "",
        f"Machine: {machine()}.",
        (f"gunicorn {args.workers} sync workers and PostgreSQL on loopback; wrk, {args.connections} connections, "
         f"{args.duration} s per path after a {args.warmup} s warm-up. PostgreSQL's ceiling on the same server, "
         f"`pgbench -N -c 8` (scale {args.pgbench_scale}), is measured before each size's paths."),
        "",
    ]
    for result in results:
        m, ceiling = result["measured"], result["ceiling"]
        note = result["load"]
        load = f"{note['data'] + note['indexes']:,} s (data {note['data']:,} s, indexes {note['indexes']:,} s)"
        lines += [
            f"## {result['residents']:,} residents, ~{result['records']} records each",
            "",
            (f"Data load (`flask seed scale`): {load}. PostgreSQL's ceiling just before the paths: "
             f"**{ceiling:,.0f} tps**." + (
                 f" Buffer cache before the paths (`pg_prewarm`, smallest relations first, up to 90 % of "
                 f"shared_buffers): {result['prewarm']['gib']:.1f} of the database's {result['prewarm']['of_gib']:.1f} GiB "
                 f"in {result['prewarm']['seconds']:.0f} s." if result.get("prewarm") else "")),
            "",
            "| path | req/s | p50 ms | p99 ms | non-2xx | vs baseline | vs pgbench |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for path, _file, baseline, description in PATHS:
            r, b = m[path], m[f"baseline_{baseline}"]
            vs_pg = ratio(r["rps"], ceiling) if path in WRITE_PATHS else ""
            lines.append(f"| {path} — {description} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
                         f"{r['errors']} | {ratio(r['rps'], b['rps'])} of {baseline} | {vs_pg} |")
        for path, _file in BASELINES:
            r = m[path]
            vs_pg = ratio(r["rps"], ceiling) if path in WRITE_PATHS else ""
            lines.append(f"| {path} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} | | {vs_pg} |")
        lines.append("")
        lines += render_one_shot(result.get("one_shot"))
    if len(results) >= 2:
        small, large = results[0], results[-1]
        lines += [f"## Growth: {large['residents']:,} vs {small['residents']:,} residents", "",
                  "| path | throughput kept |", "| --- | ---: |"]
        for path, *_ in PATHS:
            before, after = small["measured"][path]["rps"], large["measured"][path]["rps"]
            lines.append(f"| {path} | {after / before:.0%} |" if before else f"| {path} | n/a |")
        lines.append("")
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
