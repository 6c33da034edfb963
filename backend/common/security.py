"""Headers every response carries: what a browser may run, frame or keep.

- ``Content-Security-Policy``: scripts only from this origin (no inline script, no CDN),
  styles from this origin or an inline ``<style nonce="{{ csp_nonce() }}">`` of our own
  templates, no framing (``frame-ancestors 'none'``), no plugins, no ``<base>`` tricks.
- ``X-Content-Type-Options: nosniff``: an uploaded file is never run as script or page.
- ``Referrer-Policy: no-referrer``: card URLs carry a token; no other site should learn it.
- ``Cache-Control: no-store`` on everything that does not set its own caching (API JSON,
  card pages, certificates, evidence): personal data stays out of shared and browser caches.
  Static files of the front-ends keep the ``max_age`` they are sent with.
"""
import secrets

from flask import g

REFERRER_POLICY = "no-referrer"


def csp_nonce():
    """This response's nonce for an inline ``<style>`` (templates: ``nonce="{{ csp_nonce() }}"``)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce=None, *, compile_templates=False):
    """``compile_templates``: the page runs Vue's in-browser template compiler (the phone app, which
    has no build step), which turns templates into functions with ``new Function``: its scripts still
    come only from this origin, but that page may evaluate them (``'unsafe-eval'``)."""
    style = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'" + (" 'unsafe-eval'" if compile_templates else ""),
        f"style-src {style}",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def secure_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(g.get("csp_nonce")))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", REFERRER_POLICY)
    cache = response.cache_control
    # a static file that must be revalidated on every visit (the phone app's service worker) says so
    # with ``response.revalidate = True``: it holds no personal data, so no-store is not needed
    if not (cache.public or cache.max_age or cache.no_store or getattr(response, "revalidate", False)):
        cache.no_store = True
        cache.no_cache = None
    return response


def register_security_headers(app):
    app.after_request(secure_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
