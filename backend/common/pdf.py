"""PDF files rendered on the server from the same HTML templates that print from a browser.

WeasyPrint lays the page out with Pango; Chinese text needs a CJK font on the machine
(Debian's ``fonts-noto-cjk``, which scripts/demo and scripts/test install). The renderer
fetches nothing: every picture a template shows is inline (QR codes are SVG), and any
other URL is refused, so a document can never be made to reach a network address.
"""
from flask import current_app
from werkzeug.utils import secure_filename

PDF = "application/pdf"


def render_pdf(html: str) -> bytes:
    # imported on first use: it loads Pango, which the API alone never needs
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def pdf_response(html: str, filename: str, *, download=False):
    """``html`` as a PDF, opened in the browser (or saved with ``download``)."""
    disposition = "attachment" if download else "inline"
    response = current_app.response_class(render_pdf(html), mimetype=PDF)
    response.headers["Content-Disposition"] = f'{disposition}; filename="{secure_filename(filename) or "document.pdf"}"'
    return response
