"""The staff console's static shell at /console/ (Vue 3 + Element Plus + ECharts, no build step).

It owns no tables and no API: every page calls the other domains' endpoints with the signed-in
staff member's bearer token. The page itself is revalidated on every visit so a new version
reaches desks at once; scripts, styles and vendored bundles may be cached for a while.
"""
from flask import Blueprint, redirect, send_from_directory

from ..common.security import content_security_policy
from ..config import ROOT

#: not ``bp``: nothing here belongs in the OpenAPI document
public_bp = Blueprint("console_ui", __name__)
CONSOLE_DIR = ROOT / "console"


@public_bp.route("/console")
def console_root():
    return redirect("/console/", code=301)


@public_bp.route("/console/")
def console_index():
    response = send_from_directory(CONSOLE_DIR, "index.html", max_age=0)
    # Vue compiles the pages' templates in the browser (no build step), which needs 'unsafe-eval' for
    # this page only; scripts still come from this origin alone and no inline script runs.
    response.headers["Content-Security-Policy"] = content_security_policy().replace(
        "script-src 'self'", "script-src 'self' 'unsafe-eval'", 1)
    return response


@public_bp.route("/console/<path:filename>")
def console_file(filename):
    return send_from_directory(CONSOLE_DIR, filename, max_age=300)
