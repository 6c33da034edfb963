"""Reading a PDF's text back in tests (pypdf), so a test checks what the paper will say."""
import io

from pypdf import PdfReader


def pdf_text(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)
