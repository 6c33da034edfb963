"""The console's static shell: served by Flask, no file from outside the repository, every bundle recorded."""
import re
from pathlib import Path

CONSOLE = Path(__file__).resolve().parents[2] / "console"


def _vendor_rows():
    rows = []
    for line in (CONSOLE / "vendor" / "packages.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def test_console_page_and_its_bundles_are_served_from_the_app(client):
    assert client.get("/console").status_code == 301
    page = client.get("/console/")
    assert page.status_code == 200 and "诚信" in page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/console/") for source in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert client.get("/console/no-such-file.js").status_code == 404


def test_every_vendored_bundle_has_its_version_and_licence_recorded():
    readme = (CONSOLE / "vendor" / "README.md").read_text(encoding="utf-8")
    rows = _vendor_rows()
    assert {row[0] for row in rows} == {"vue", "element-plus", "echarts"}
    for package, version, _inner, destination, _licence in rows:
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), (package, version)  # exact versions only
        assert (CONSOLE / "vendor" / destination).stat().st_size > 0
        assert (CONSOLE / "vendor" / f"LICENSE-{destination.split('.')[0]}").exists()
        line = next(line for line in readme.splitlines() if f"`{destination}`" in line)
        assert package in line and version in line


def test_console_page_runs_scripts_of_its_own_origin_only_with_eval_for_vue_templates(client):
    page = client.get("/console/")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-eval'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "<script>" not in page.get_data(as_text=True)  # no inline script: the CSP would block it
    # only the console's page gets eval; every other page keeps the strict policy
    assert "unsafe-eval" not in client.get("/console/js/main.js").headers["Content-Security-Policy"]
    assert "unsafe-eval" not in client.get("/api/v1/health").headers.get("Content-Security-Policy", "")
