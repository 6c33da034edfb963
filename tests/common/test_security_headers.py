"""Every page and answer says what a browser may run, frame and keep."""
import io
import re
from pathlib import Path

from backend.cards import service as cards
from backend.extensions import db
from tests.conftest import IS_POSTGRES

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_TAG = re.compile(r"<style([^>]*)>", re.I)


def _card_url(subject, kind):
    card = cards.ensure_card(subject.district_id, kind, subject.id)
    db.session.commit()
    return "/c/" + cards.card_url(card).rsplit("/c/", 1)[1]


def assert_locked_down_page(response):
    """CSP with only our own scripts and no framing, nosniff, a referrer policy; no inline script."""
    csp = response.headers.get("Content-Security-Policy", "")
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip())
    assert directives.get("script-src") == "'self'", csp
    assert directives.get("frame-ancestors") == "'none'", csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = response.get_data(as_text=True)
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html).group(0)
    for attributes in STYLE_TAG.findall(html):
        nonce = re.search(r'nonce="([^"]+)"', attributes)
        assert nonce and f"'nonce-{nonce.group(1)}'" in directives["style-src"], (attributes, csp)


def test_every_html_page_sends_a_csp_with_only_the_apps_scripts(client, make_staff, make_resident, make_merchant,
                                                                 community, login):
    headers = login(make_staff(worker=[community]))
    resident = make_resident(community)
    merchant = make_merchant()
    pages = {
        "kiosk": client.get("/kiosk/"),
        "docs": client.get("/api/docs"),
        "resident card": client.get(_card_url(resident, "resident")),
        "merchant card": client.get(_card_url(merchant, "merchant")),
        "card error page": client.get("/c/not-a-token"),
        "print sheet": client.get(f"/api/v1/cards/print-sheet?community_id={community.id}", headers=headers),
    }
    for name, response in pages.items():
        assert response.mimetype == "text/html", name
        assert_locked_down_page(response)


def test_templates_hold_no_inline_script_and_nonce_their_styles():
    templates = list((ROOT / "backend").glob("*/templates/**/*.html")) + [ROOT / "kiosk" / "index.html",
                                                                           ROOT / "apidocs" / "index.html"]
    assert len(templates) >= 8
    for path in templates:
        html = path.read_text()
        assert not INLINE_SCRIPT.search(html), path
        assert not INLINE_HANDLER.search(html), path
        assert " style=" not in html, path
        for attributes in STYLE_TAG.findall(html):
            assert 'nonce="{{ csp_nonce() }}"' in attributes, path


def test_api_answers_with_personal_data_are_not_stored(client, make_staff, make_resident, community, login):
    headers = login(make_staff(worker=[community]))
    resident = make_resident(community)
    for response in (client.get(f"/api/v1/residents/{resident.id}", headers=headers),
                     client.get("/api/v1/residents", headers=headers),
                     client.get(_card_url(resident, "resident")),
                     client.get("/api/v1/residents/0", headers=headers)):
        assert "no-store" in response.headers["Cache-Control"], response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_static_front_end_files_keep_their_caching(client):
    response = client.get("/kiosk/kiosk.css")
    assert response.status_code == 200 and "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_evidence_is_served_nosniff_and_as_a_download_unless_an_image(client, make_staff, community, login):
    headers = login(make_staff(worker=[community]))
    files = {"photo.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "report.pdf": b"%PDF-1.4 <script>x</script>"}
    for name, data in files.items():
        upload = client.post("/api/v1/evidence", data={"file": (io.BytesIO(data), name)}, headers=headers,
                             content_type="multipart/form-data")
        assert upload.status_code == 201, upload.get_json()
        response = client.get(f"/api/v1/evidence/{upload.get_json()['id']}", headers=headers)
        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response.headers["Cache-Control"]
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("inline" if name.endswith(".png") else "attachment"), disposition


def test_evidence_stored_with_a_nul_in_its_name_still_downloads(client, make_staff, community, login):
    from backend.credit.models import Evidence

    headers = login(make_staff(worker=[community]))
    upload = client.post("/api/v1/evidence", data={"file": (io.BytesIO(b"%PDF-1.4 x"), "a.pdf")}, headers=headers,
                         content_type="multipart/form-data")
    row = db.session.get(Evidence, upload.get_json()["id"])
    # as saved before names were cleaned (PostgreSQL never took a NUL: other control characters there)
    row.filename = "bad\x01name\r\n.pdf" if IS_POSTGRES else "bad\x00name\r\n.pdf"
    db.session.commit()
    response = client.get(f"/api/v1/evidence/{row.id}", headers=headers)
    assert response.status_code == 200 and response.data == b"%PDF-1.4 x"
    assert not any(ord(ch) < 32 for ch in response.headers["Content-Disposition"])


def test_api_docs_are_served_from_the_app_without_a_cdn(client, app):
    page = client.get("/api/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.get_data(as_text=True))
    assert sources and all(s.startswith("/api/docs/") for s in sources), sources
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200 and len(asset.data) > 100, source
    assert not app.config.get("OPENAPI_SWAGGER_UI_URL")
    rows = (ROOT / "apidocs" / "vendor" / "packages.tsv").read_text().strip().splitlines()
    assert all(len(row.split("\t")) == 5 and row.split("\t")[1][0].isdigit() for row in rows)
