"""The one QR renderer: PNG (pillow) and a compact SVG drawn from the module matrix.

Cards, the kiosk receipt and printed certificates all draw their codes here."""
import base64
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M

#: quiet zone in modules; 4 is what the QR standard asks of printed codes
BORDER = 4


def _matrix(data, mask_pattern=None):
    # ``mask_pattern`` (0–7) skips qrcode's trial of all eight masks (most of the drawing's time); any mask
    # gives a valid code, the trial only picks the one its penalty rules like best
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER, mask_pattern=mask_pattern)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def qr_svg(data, *, size=None, title=None, mask_pattern=None):
    """An SVG of ``data``. Dark runs of each row become one path segment, so the file stays
    small enough to inline dozens of codes in a print sheet."""
    matrix = _matrix(data, mask_pattern)
    n = len(matrix)
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    dims = f' width="{size}" height="{size}"' if size else ""
    label = f"<title>{_escape(title)}</title>" if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}"{dims} shape-rendering="crispEdges"'
        f' role="img">{label}<rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/></svg>'
    )


def qr_png(data, *, box_size=8):
    """A PNG of ``data``; ``box_size`` pixels per module."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER, box_size=box_size)
    code.add_data(data)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return out.getvalue()


def qr_svg_data_uri(data, **kwargs):
    """The SVG as a ``data:`` URI, for an ``<img src>`` in a front-end with no QR library."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(data, **kwargs).encode()).decode()


def _escape(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
