"""The certificate (志愿服务证明) with its verifying QR code, in the card token format and the older one."""
import base64
import struct

import pytest

from backend.cards import tokens
from backend.extensions import db
from backend.volunteering import certificates
from backend.volunteering.models import VolunteerCertificate
from tests.fixtures import assert_problem
from tests.volunteering.conftest import add_history


def test_certificate_prints_with_a_qr_code_that_verifies_it(vol, app):
    resident = vol.resident(name="王秀英")
    add_history(vol, resident)
    issued = vol.post("/certificates", resident_id=resident.id)
    assert issued.status_code == 201, issued.get_json()
    body = issued.get_json()
    assert body["number"].startswith("VS") and body["total_minutes"] == 315 and body["total_hours"] == 5.25
    assert body["verify_url"].startswith("https://credit.example.cn/v/")
    printed = vol.client.get(body["print_url"], headers=vol.org)
    assert printed.status_code == 200 and printed.mimetype == "text/html"
    page = printed.get_data(as_text=True)
    assert "志愿服务证明" in page and "王秀英" in page and "5.25" in page and vol.district.name_zh in page
    assert certificates.qr_svg(body["verify_url"]) in page and "<svg" in page
    # anyone who scans it sees that it is genuine, with the name masked
    verify = vol.client.get(body["verify_url"].replace("https://credit.example.cn", ""),
                            headers={"Accept": "text/html"})
    text = verify.get_data(as_text=True)
    assert verify.status_code == 200 and "证明真实有效" in text and "王*英" in text and "王秀英" not in text
    as_json = vol.client.get(body["verify_url"].replace("https://credit.example.cn", ""),
                             headers={"Accept": "application/json"}).get_json()
    assert as_json["valid"] is True and as_json["masked_name"] == "王*英" and as_json["total_minutes"] == 315


def test_year_certificate_covers_only_that_year(vol):
    resident = vol.resident()
    add_history(vol, resident)
    body = vol.post("/certificates", resident_id=resident.id, year=2024).get_json()
    assert body["year"] == 2024 and body["total_minutes"] == 150
    page = vol.client.get(body["print_url"], headers=vol.org).get_data(as_text=True)
    assert "2024 年度" in page and "2.5" in page


def test_forged_or_unknown_certificate_codes_do_not_verify(vol):
    resident = vol.resident()
    body = vol.post("/certificates", resident_id=resident.id).get_json()
    path = body["verify_url"].replace("https://credit.example.cn", "")
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    page = vol.client.get(forged, headers={"Accept": "text/html"})
    assert page.status_code == 404 and "证明无效" in page.get_data(as_text=True)
    assert_problem(vol.client.get(forged, headers={"Accept": "application/json"}), 404, "certificate_not_found")
    assert_problem(vol.client.get("/v/nonsense!!", headers={"Accept": "application/json"}), 404,
                   "certificate_not_found")
    # a card token is not a certificate
    card_path = vol.code(resident).replace("https://credit.example.cn/c/", "/v/")
    assert_problem(vol.client.get(card_path, headers={"Accept": "application/json"}), 404)


def test_resident_issues_their_own_certificate_and_only_sees_their_own(vol, login):
    resident, neighbour = vol.resident(), vol.resident()
    add_history(vol, resident)
    mine = vol.post("/me/certificates", login(resident))
    assert mine.status_code == 201 and mine.get_json()["total_minutes"] == 315
    assert mine.get_json()["resident_id"] == resident.id
    assert vol.client.get(mine.get_json()["print_url"], headers=login(resident)).status_code == 200
    assert_problem(vol.client.get(mine.get_json()["print_url"], headers=login(neighbour)), 404,
                   "certificate_not_found")
    assert_problem(vol.client.get(mine.get_json()["print_url"], headers=vol.out), 404)
    assert_problem(vol.post("/certificates", vol.out, resident_id=resident.id), 404)


def _legacy_token(certificate):
    """The token certificates carried before they became a card token kind, as it was printed:
    base64url of "VC", version 1, signing key id, certificate id, nonce, and an Ed25519 signature."""
    ring = tokens.keyring()
    body = struct.pack(">2sB4sQ8s", b"VC", 1, bytes.fromhex(ring.signer_kid), certificate.id,
                       bytes.fromhex(certificate.nonce))
    return base64.urlsafe_b64encode(body + ring.signer.sign(body)).rstrip(b"=").decode()


def _issued(vol, resident):
    body = vol.post("/certificates", resident_id=resident.id).get_json()
    return db.session.get(VolunteerCertificate, body["id"]), body


def test_new_certificates_carry_a_card_token_of_kind_certificate(vol):
    certificate, body = _issued(vol, vol.resident())
    token = body["verify_url"].rsplit("/", 1)[-1]
    assert len(token) == tokens.TOKEN_LEN
    payload = tokens.verify(token, kinds=(tokens.KIND_CERTIFICATE,))
    assert (payload.kind_name, payload.subject_id, payload.nonce) == ("certificate", certificate.id, certificate.nonce)
    # nobody can pay with it or check in with it
    with pytest.raises(tokens.WrongTokenKind):
        tokens.verify(token)


def test_certificates_printed_with_the_old_token_still_verify(vol):
    resident = vol.resident(name="王秀英")
    add_history(vol, resident)
    certificate, body = _issued(vol, resident)
    legacy = _legacy_token(certificate)
    assert len(legacy) == 116
    as_json = vol.client.get(f"/v/{legacy}", headers={"Accept": "application/json"})
    assert as_json.status_code == 200, as_json.get_json()
    assert as_json.get_json()["valid"] is True and as_json.get_json()["number"] == body["number"]
    assert as_json.get_json()["masked_name"] == "王*英" and as_json.get_json()["total_minutes"] == 315
    page = vol.client.get(f"/v/{legacy}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "证明真实有效" in page.get_data(as_text=True)
    # scanned as a whole URL, too
    assert certificates.verify_certificate(f"https://credit.example.cn/v/{legacy}").id == certificate.id
    assert certificates.verify_certificate(body["verify_url"]).id == certificate.id


def _flip(token, index):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return token[:index] + alphabet[(alphabet.index(token[index]) + 1) % len(alphabet)] + token[index + 1:]


def _refused(token):
    with pytest.raises(certificates.CertificateNotFound) as refused:
        certificates.verify_certificate(token)
    return refused.value


def test_forged_or_truncated_certificate_tokens_of_both_formats_are_refused(vol):
    certificate, body = _issued(vol, vol.resident())
    for token in (body["verify_url"].rsplit("/", 1)[-1], _legacy_token(certificate)):
        assert certificates.verify_certificate(token).id == certificate.id
        for index in range(len(token)):
            assert _refused(_flip(token, index)).code == "certificate_not_found"
        for cut in (token[:-1], token[:-4], token[1:], token + "A", token + "AAAA", token[:60]):
            assert _refused(cut).code == "certificate_not_found"
        assert "not a valid certificate code" in _refused(token[:60]).detail
        forged = _flip(token, len(token) - 1)
        assert "not issued here" in _refused(forged).detail
        assert_problem(vol.client.get(f"/v/{forged}", headers={"Accept": "application/json"}), 404,
                       "certificate_not_found")


def test_certificate_tokens_with_characters_outside_base64url_are_refused(vol):
    """The old decoder dropped stray characters and read "+" as "-": such texts are no certificate."""
    for _ in range(50):  # until a token holds a "-" to respell (each certificate signs a new nonce)
        certificate, body = _issued(vol, vol.resident())
        legacy = _legacy_token(certificate)
        if "-" in legacy:
            break
    assert "-" in legacy
    respelled = legacy.replace("-", "+", 1)
    assert base64.urlsafe_b64decode(respelled) == base64.urlsafe_b64decode(legacy)  # what the old decoder read
    for token in (respelled, legacy[:-1] + ".", legacy[:-1] + "=", body["verify_url"].rsplit("/", 1)[-1][:-1] + "="):
        assert "not a valid certificate code" in _refused(token).detail
        assert_problem(vol.client.get(f"/v/{token}", headers={"Accept": "application/json"}), 404,
                       "certificate_not_found")


def test_a_certificate_token_is_not_a_card_at_check_in(vol):
    activity = vol.started()
    resident = vol.resident()
    _, body = _issued(vol, resident)
    assert_problem(vol.check_in(activity["id"], body["verify_url"]), 400, "invalid_code")


def test_certificate_pdf_names_the_volunteer_hours_and_number(vol):
    from tests.common.pdf_text import pdf_text

    resident = vol.resident(name="王秀英")
    add_history(vol, resident)
    body = vol.post("/certificates", resident_id=resident.id).get_json()
    text, pages = pdf_text(vol.client.get(f"/api/v1/volunteering/certificates/{body['id']}/pdf", headers=vol.org),
                           "certificate.pdf")
    # the title is letter-spaced on paper
    assert pages == 1 and "志愿服务证明" in text.replace(" ", "") and "王秀英" in text and "5.25" in text and body["number"] in text
