"""Evidence files (photos, PDFs) for records: checked by content, stored under UPLOAD_FOLDER.

The type is read from the file's first bytes, never trusted from the name or
the browser. A file is uploaded first and attached once, by its uploader,
when the record is logged.
"""
import hashlib
import os
import uuid
from pathlib import Path

from flask import current_app

from ..audit.service import record_audit
from ..common.auth import require_scope
from ..common.inputs import clean_filename
from ..common.time import utcnow
from ..common.uploads import HEAD_BYTES, SIGNATURES, read_capped, sniff
from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..residents.models import Resident
from ..residents.service import log_lookup
from .models import CreditRecord, Evidence

#: default largest evidence file (``CREDIT_EVIDENCE_MAX_BYTES`` overrides)
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
#: every content type evidence is stored (and served) with
CONTENT_TYPES = tuple(content_type for _, content_type, _ in SIGNATURES) + ("image/webp",)


def save_evidence(principal, file):
    """Store an uploaded file after checking its type and size; returns the ``Evidence`` row."""
    limit = current_app.config.get("CREDIT_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)
    data = read_capped(file, limit)
    if not data:
        raise ValidationFailed("文件为空。The file is empty.", code="empty_file", errors={"file": ["Empty file."]})
    if len(data) > limit:
        raise ValidationFailed(f"文件超过 {limit // (1024 * 1024)} MB。The file is larger than {limit} bytes.",
                               code="file_too_large", errors={"file": [f"At most {limit} bytes."]})
    content_type, ext = sniff(data[:HEAD_BYTES])
    if content_type is None:
        raise ValidationFailed("只接受 JPEG、PNG、WebP 图片或 PDF。Only JPEG, PNG or WebP images and PDF files.",
                               code="unsupported_file_type", errors={"file": ["JPEG, PNG, WebP or PDF."]})
    now = utcnow()
    relative = Path("evidence") / str(principal.district_id) / f"{now:%Y%m}" / f"{uuid.uuid4().hex}.{ext}"
    target = Path(current_app.config["UPLOAD_FOLDER"]) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".part")
    temporary.write_bytes(data)
    os.replace(temporary, target)
    name = clean_filename(file.filename, f"evidence.{ext}")
    evidence = Evidence(district_id=principal.district_id, uploaded_by_user_id=principal.id, filename=name,
                        content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                        storage_path=str(relative), created_at=now)
    db.session.add(evidence)
    db.session.flush()
    record_audit(principal, "evidence.upload", "evidence", evidence.id,
                 after={"filename": name, "content_type": content_type, "size": len(data)})
    return evidence


def open_evidence(principal, evidence_id):
    """(absolute path, row) if ``principal`` may see it: its uploader, staff of the record's
    community (a logged look-up), or the record's own subject."""
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.district_id != principal.district_id:
        raise NotFound("No such file.", code="evidence_not_found")
    record = db.session.get(CreditRecord, evidence.record_id) if evidence.record_id else None
    if principal.kind == "resident":
        if record is None or record.resident_id != principal.id:
            raise NotFound("No such file.", code="evidence_not_found")
    elif principal.kind == "staff":
        if record is None:
            if evidence.uploaded_by_user_id != principal.id:
                raise NotFound("No such file.", code="evidence_not_found")
        else:
            try:
                require_scope(principal, record.community_id)
            except NotFound:
                raise NotFound("No such file.", code="evidence_not_found") from None
            if record.resident_id is not None:
                log_lookup(principal, db.session.get(Resident, record.resident_id), "evidence")
    else:
        raise NotFound("No such file.", code="evidence_not_found")
    path = Path(current_app.config["UPLOAD_FOLDER"]) / evidence.storage_path
    if not path.is_file():
        raise NotFound("The file is missing from storage.", code="evidence_missing")
    return path, evidence
