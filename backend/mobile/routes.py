"""The phone app's static shell at /m/ (Vue 3 + Vant 4, no build step); it owns no tables and no API.

The page, the manifest and the service worker are revalidated on every visit so a new version
reaches phones at once; scripts, styles and vendored bundles may be cached for a while.
"""
from flask import Blueprint, redirect, send_from_directory

from ..common.security import content_security_policy
from ..config import ROOT

#: not ``bp``: nothing here belongs in the OpenAPI document
public_bp = Blueprint("mobile_ui", __name__)
MOBILE_DIR = ROOT / "mobile"
ALWAYS_FRESH = {"index.html", "sw.js", "manifest.webmanifest"}


def _send(filename):
    response = send_from_directory(MOBILE_DIR, filename, max_age=0 if filename in ALWAYS_FRESH else 300)
    if filename == "sw.js":
        # the worker controls all of /m/ and must never be served stale
        response.headers["Cache-Control"] = "no-cache"
        response.revalidate = True
        response.headers["Service-Worker-Allowed"] = "/m/"
    elif filename == "index.html":
        # Vue compiles the screens' templates in the browser (no build step): only this page may evaluate
        response.headers["Content-Security-Policy"] = content_security_policy(compile_templates=True)
    elif filename == "manifest.webmanifest":
        response.mimetype = "application/manifest+json"
    return response


@public_bp.route("/m")
def mobile_root():
    return redirect("/m/", 301)


@public_bp.route("/m/")
def mobile_index():
    return _send("index.html")


@public_bp.route("/m/<path:filename>")
def mobile_file(filename):
    return _send(filename)
