"""Volunteer service certificates (志愿服务证明): a signed snapshot of a resident's
settled hours, printed with a QR code that anyone can check at ``/v/<token>``.

The QR code carries a card token of kind ``certificate`` (``backend/cards/tokens.py``),
signed with the card keys, so the published public keys verify it offline too.
Certificates printed before carry the older volunteering token (``VC`` …); they
keep verifying through ``_verify_legacy``.
"""
import secrets
import struct

from cryptography.exceptions import InvalidSignature
from flask import current_app

from ..audit.service import record_audit
from ..cards import tokens
from ..common.masking import mask_name
from ..common.qr import qr_svg as render_qr_svg
from ..credit.periods import local_date, offset
from ..extensions import db
from ..org.models import District
from ..residents.models import Resident
from ..residents.service import get_resident_for_staff
from .access import READ_ROLES, WRITE_ROLES, local_year
from .errors import CertificateNotFound
from .models import VolunteerCertificate
from .rules import hours, local_text
from .totals import volunteer_totals

#: the certificate token of the first releases, still on paper: magic "VC", version, signing key id,
#: certificate id, nonce (then a 64-byte Ed25519 signature; 116 characters of base64url)
_LEGACY = struct.Struct(">2sB4sQ8s")


def certificate_token(certificate):
    """A card token of kind ``certificate``: the certificate's id and nonce, signed."""
    return tokens.sign(tokens.KIND_CERTIFICATE, certificate.id, nonce=certificate.nonce)


def certificate_url(certificate):
    return f"{current_app.config['PUBLIC_BASE_URL']}/v/{certificate_token(certificate)}"


def _verify_token(text):
    """``(certificate id, nonce)`` of a certificate token."""
    try:
        payload = tokens.verify(text, kinds=(tokens.KIND_CERTIFICATE,))
    except (tokens.UnreadableToken, tokens.WrongTokenKind):
        raise CertificateNotFound("这不是有效的证明二维码。This is not a valid certificate code.") from None
    except tokens.InvalidToken:
        raise CertificateNotFound("此证明不是本信用中心出具的。This certificate was not issued here.") from None
    return payload.subject_id, payload.nonce


def _verify_legacy(text):
    """``(certificate id, nonce)`` of a token in the older volunteering format."""
    try:
        body, signature = tokens.split(text, _LEGACY.size)
    except tokens.InvalidToken:
        raise CertificateNotFound("这不是有效的证明二维码。This is not a valid certificate code.") from None
    magic, version, kid, certificate_id, nonce = _LEGACY.unpack(body)
    public = tokens.keyring().public.get(kid.hex())
    if magic != b"VC" or version != 1 or public is None:
        raise CertificateNotFound("此证明不是本信用中心出具的。This certificate was not issued here.")
    try:
        public.verify(signature, body)
    except InvalidSignature:
        raise CertificateNotFound("此证明不是本信用中心出具的。This certificate was not issued here.") from None
    return certificate_id, nonce.hex()


def verify_certificate(token):
    """The certificate a token (either format) stands for, or ``CertificateNotFound`` for anything
    forged or unknown."""
    text = tokens.extract(token)
    verify = _verify_token if len(text) == tokens.TOKEN_LEN else _verify_legacy
    certificate_id, nonce = verify(text)
    certificate = db.session.get(VolunteerCertificate, certificate_id)
    if certificate is None or certificate.nonce != nonce:
        raise CertificateNotFound("没有这份证明。No such certificate.")
    return certificate


def issue_certificate(principal, resident_id=None, year=None):
    """志愿服务证明: a snapshot of settled hours, for staff of the resident's community or the resident."""
    if principal.kind == "resident":
        resident = db.session.get(Resident, principal.id)
    else:
        resident = get_resident_for_staff(principal, resident_id, WRITE_ROLES + READ_ROLES,
                                          what="volunteer_certificate")
    totals = volunteer_totals(resident.id, year)
    nonce = secrets.token_hex(8)
    certificate = VolunteerCertificate(
        district_id=resident.district_id, resident_id=resident.id, number=f"~{nonce}", year=year,
        total_minutes=totals["total_minutes"], breakdown=totals["by_kind"], nonce=nonce, issued_by=principal.ref,
    )
    db.session.add(certificate)
    db.session.flush()
    certificate.number = f"VS{local_year(certificate.issued_at)}-{certificate.id:06d}"
    db.session.flush()
    if principal.kind == "staff":
        record_audit(principal, "volunteering.certificate_issue", "volunteer_certificate", certificate.id,
                     after={"resident_id": resident.id, "year": year, "total_minutes": certificate.total_minutes})
    return certificate


def get_certificate(principal, certificate_id):
    certificate = db.session.get(VolunteerCertificate, certificate_id)
    if certificate is None or certificate.district_id != principal.district_id:
        raise CertificateNotFound("没有这份证明。No such certificate.")
    if principal.kind == "resident":
        if certificate.resident_id != principal.id:
            raise CertificateNotFound("没有这份证明。No such certificate.")
    else:
        get_resident_for_staff(principal, certificate.resident_id, WRITE_ROLES + READ_ROLES)
    return certificate


def certificate_view(certificate):
    """Everything the print page and the verification page show."""
    resident = db.session.get(Resident, certificate.resident_id)
    district = db.session.get(District, certificate.district_id)
    return {
        "certificate": certificate,
        "resident": resident,
        "masked_name": mask_name(resident.name),
        "community": resident.community,
        "district": district,
        "hours": hours(certificate.total_minutes),
        "rows": [dict(row, hours=hours(row["minutes"])) for row in certificate.breakdown],
        "issued_local": local_text(certificate.issued_at, offset()),
        "issued_date": local_date(certificate.issued_at),
        "url": certificate_url(certificate),
    }


def public_certificate(view):
    """What anyone holding the certificate's QR code may see: the name masked."""
    certificate = view["certificate"]
    return {
        "valid": True,
        "number": certificate.number,
        "masked_name": view["masked_name"],
        "district_zh": view["district"].name_zh,
        "district_en": view["district"].name_en,
        "community_zh": view["community"].name_zh,
        "community_en": view["community"].name_en,
        "year": certificate.year,
        "total_minutes": certificate.total_minutes,
        "total_hours": view["hours"],
        "issued_at": certificate.issued_at.isoformat() + "Z",
    }


def qr_svg(data):
    """An inline SVG QR code (no image files, prints sharp at any size)."""
    return render_qr_svg(data)
