"""The staff console's static shell at /console/ (Vue 3 + Element Plus + ECharts, no build step).

It owns no tables and no API: every page calls the other domains' endpoints with the signed-in
staff member's bearer token. The page itself is revalidated on every visit so a new version
reaches desks at once; scripts, styles and vendored bundles may be cached for a while.
"""
from flask import Blueprint, redirect, send_from_directory

from ..common.security import vue_shell
from ..config import ROOT

#: not ``bp``: nothing here belongs in the OpenAPI document
public_bp = Blueprint("console_ui", __name__)
CONSOLE_DIR = ROOT / "console"


@public_bp.route("/console")
def console_root():
    return redirect("/console/", code=301)


@public_bp.route("/console/")
def console_index():
    return vue_shell(send_from_directory(CONSOLE_DIR, "index.html", max_age=0))


@public_bp.route("/console/<path:filename>")
def console_file(filename):
    response = send_from_directory(CONSOLE_DIR, filename, max_age=0 if filename == "index.html" else 300)
    return vue_shell(response) if filename == "index.html" else response
