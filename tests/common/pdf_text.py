"""Reading a PDF's text back in tests (pypdf), so a test checks what the paper will say.

Each PDF is also kept under $CHENGXIN_TEST_ARTIFACTS/documents/ to be looked at."""
import io
import os
from pathlib import Path

from pypdf import PdfReader


def pdf_text(response, keep_as=None):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
    if keep_as and os.environ.get("CHENGXIN_TEST_ARTIFACTS"):
        folder = Path(os.environ["CHENGXIN_TEST_ARTIFACTS"]) / "documents"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / keep_as).write_bytes(response.data)
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)
