"""Item photos: uploaded by the shop's staff from a file, checked by content, stored by content hash,
served to anyone with long caching; every bad file refused in zh and en with nothing written."""
import hashlib
import io
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from backend.audit.models import AuditLog
from backend.extensions import db
from backend.supermarket.models import SupermarketItem
from tests.fixtures import assert_problem


def image_bytes(fmt="PNG", size=(64, 48), color=(200, 30, 30), **options):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt, **options)
    return out.getvalue()


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    """A folder of this test's own, so "nothing written" can be seen."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    return tmp_path


def stored(folder):
    return sorted(p.name for p in Path(folder).rglob("*") if p.is_file())


@pytest.fixture
def shop(community, make_supermarket):
    return make_supermarket(community)


@pytest.fixture
def worker(make_staff, community, login):
    return login(make_staff(worker=[community]))


def upload(client, shop, item, data, name="photo.png", headers=None, **kw):
    return client.post(f"/api/v1/supermarkets/{shop.id}/items/{item.id}/photo", headers=headers,
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data", **kw)


def photo_of(item):
    db.session.expire_all()
    return db.session.get(SupermarketItem, item.id).photo


def test_worker_uploads_a_png_and_the_item_shows_it_from_a_public_content_hash_path(
        client, shop, worker, make_item, uploads):
    item = make_item(shop)
    response = upload(client, shop, item, image_bytes(), headers=worker)
    assert response.status_code == 200, response.get_json()
    photo = response.get_json()["photo"]
    name = photo.rsplit("/", 1)[1]
    assert photo.startswith("/api/v1/supermarkets/photos/") and name.endswith(".png")
    stored_file = uploads / "photos" / name
    assert name == hashlib.sha256(stored_file.read_bytes()).hexdigest() + ".png"
    assert photo_of(item) == photo
    listed = client.get(f"/api/v1/supermarkets/{shop.id}/items", headers=worker).get_json()["items"]
    assert [i["photo"] for i in listed if i["id"] == item.id] == [photo]

    served = client.get(photo)  # no Authorization: the kiosk shows goods to anyone
    assert served.status_code == 200
    assert served.mimetype == "image/png" and served.data == stored_file.read_bytes()
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    cache = served.cache_control
    assert cache.public and cache.immutable and cache.max_age >= 365 * 24 * 3600 and not cache.no_store
    assert Image.open(io.BytesIO(served.data)).size == (64, 48)


def test_the_same_photo_uploaded_twice_is_one_file_and_one_name(client, shop, worker, make_item, uploads):
    first, second = make_item(shop), make_item(shop)
    data = image_bytes("JPEG", quality=90)
    a = upload(client, shop, first, data, "a.jpg", headers=worker).get_json()["photo"]
    b = upload(client, shop, second, data, "b.jpg", headers=worker).get_json()["photo"]
    again = upload(client, shop, first, data, "a.jpg", headers=worker).get_json()["photo"]
    assert a == b == again and a.endswith(".jpg")
    assert stored(uploads) == [a.rsplit("/", 1)[1]]


def test_webp_is_taken_and_served_as_webp(client, shop, worker, make_item, uploads):
    item = make_item(shop)
    photo = upload(client, shop, item, image_bytes("WEBP"), "goods.webp", headers=worker).get_json()["photo"]
    assert photo.endswith(".webp")
    assert client.get(photo).mimetype == "image/webp"


def test_a_phone_photo_is_turned_upright_shrunk_and_loses_its_metadata(client, shop, worker, make_item, uploads):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned a quarter; shown upright it is tall
    exif[0x010F] = "PhoneMaker"
    data = image_bytes("JPEG", size=(3000, 2000), exif=exif.tobytes())
    item = make_item(shop)
    photo = upload(client, shop, item, data, "IMG_0001.jpg", headers=worker).get_json()["photo"]
    kept = Image.open(io.BytesIO(client.get(photo).data))
    assert kept.size == (800, 1200)  # upright (portrait) and at most 1200 px a side
    assert not kept.getexif()


def test_the_upload_is_written_in_the_audit_log_like_other_item_edits(client, shop, worker, make_item, uploads):
    item = make_item(shop)
    photo = upload(client, shop, item, image_bytes(), headers=worker).get_json()["photo"]
    entry = db.session.execute(select(AuditLog).where(
        AuditLog.target_type == "supermarket_item", AuditLog.target_id == str(item.id),
        AuditLog.action == "supermarket_item.update")).scalar_one()
    assert entry.before["photo"] == "/kiosk/img/rice.svg" and entry.after["photo"] == photo


def _zip():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff" + b"\x00" * 100)
    return out.getvalue()


@pytest.mark.parametrize("data, name, status, code", [
    (b"", "empty.png", 400, "photo_empty"),
    (b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF", "receipt.jpg", 400, "photo_not_image"),  # a PDF renamed .jpg
    (_zip(), "photos.jpg", 400, "photo_not_image"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anim.gif", 400, "photo_not_image"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.png", 400, "photo_not_image"),
    (b"\xff\xd8\xff\xe0 this is not really a JPEG", "broken.jpg", 400, "photo_not_image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "truncated.png", 400, "photo_not_image"),
])
def test_a_file_that_is_not_a_usable_photo_is_refused_and_nothing_changes(
        app, client, zh_client, shop, worker, make_item, uploads, data, name, status, code):
    item = make_item(shop)
    en = assert_problem(upload(client, shop, item, data, name, headers=worker), status, code)
    zh = assert_problem(upload(zh_client, shop, item, data, name, headers=worker), status, code)
    assert en["detail"] != zh["detail"] and "file" in en["errors"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["detail"]) and en["detail"].isascii()
    assert photo_of(item) == "/kiosk/img/rice.svg" and stored(uploads) == []
    assert db.session.execute(select(AuditLog).where(AuditLog.action == "supermarket_item.update")).first() is None


def test_a_photo_over_the_size_setting_is_413_in_both_languages(app, client, zh_client, shop, worker, make_item,
                                                                uploads, monkeypatch):
    monkeypatch.setitem(app.config, "SUPERMARKET_PHOTO_MAX_BYTES", 1024 * 1024)
    item = make_item(shop)
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024)
    en = assert_problem(upload(client, shop, item, big, headers=worker), 413, "photo_too_large")
    zh = assert_problem(upload(zh_client, shop, item, big, headers=worker), 413, "photo_too_large")
    assert en["detail"] == "The photo is larger than 1 MB." and zh["detail"] == "照片超过 1 MB。"
    assert photo_of(item) == "/kiosk/img/rice.svg" and stored(uploads) == []
    right = image_bytes()
    assert upload(client, shop, item, right, headers=worker).status_code == 200


def test_a_photo_of_too_many_pixels_is_refused_before_it_is_decoded(client, shop, worker, make_item, uploads):
    item = make_item(shop)
    huge = image_bytes("PNG", size=(8000, 6000), color=(255, 255, 255))  # compresses small, 48 MP
    body = assert_problem(upload(client, shop, item, huge, headers=worker), 413, "photo_too_large")
    assert "8000×6000" in body["detail"] and stored(uploads) == []


def test_a_png_so_large_that_pillow_will_not_open_it_is_413_not_a_crash(client, shop, worker, make_item, uploads):
    item = make_item(shop)
    # a PNG header claiming 20000×20000 (400 MP) with no pixel data at all
    header = io.BytesIO()
    Image.new("L", (1, 1)).save(header, format="PNG")
    data = bytearray(header.getvalue())
    data[16:24] = (20000).to_bytes(4, "big") + (20000).to_bytes(4, "big")  # IHDR width and height
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")  # and the chunk's checksum to match
    body = assert_problem(upload(client, shop, item, bytes(data), headers=worker), 413, "photo_too_large")
    assert "too many pixels" in body["detail"] and stored(uploads) == []


def test_a_large_phone_jpeg_is_taken_decoded_at_a_reduced_size(client, shop, worker, make_item, uploads):
    item = make_item(shop)
    out = io.BytesIO()
    Image.new("L", (8000, 6000), 128).save(out, format="JPEG", quality=50)  # 48 MP, as a phone takes them
    photo = upload(client, shop, item, out.getvalue(), "IMG_0002.jpg", headers=worker).get_json()["photo"]
    assert Image.open(io.BytesIO(client.get(photo).data)).size == (1200, 900)


def test_a_missing_file_field_is_a_validation_problem(client, shop, worker, make_item, uploads):
    item = make_item(shop)
    response = client.post(f"/api/v1/supermarkets/{shop.id}/items/{item.id}/photo", headers=worker,
                           data={}, content_type="multipart/form-data")
    assert_problem(response, 422, "validation_failed")


def test_only_staff_who_run_the_shop_may_upload_its_photos(client, shop, make_item, make_staff, make_community,
                                                           community, login, uploads):
    item = make_item(shop)
    data = image_bytes()
    reviewer = login(make_staff(reviewer=[community]))
    assert_problem(upload(client, shop, item, data, headers=reviewer), 403)
    elsewhere = login(make_staff(worker=[make_community()]))
    assert_problem(upload(client, shop, item, data, headers=elsewhere), 404)  # as update_item answers
    assert_problem(upload(client, shop, item, data), 401)
    admin = login(make_staff(district_admin=True))
    assert upload(client, shop, item, data, headers=admin).status_code == 200


def test_an_item_of_another_shop_is_not_found_and_nothing_is_written(client, shop, worker, make_item,
                                                                     make_supermarket, community, uploads):
    other = make_item(make_supermarket(community))
    assert_problem(upload(client, shop, other, image_bytes(), headers=worker), 404, "item_not_found")
    assert stored(uploads) == [] and photo_of(other) == "/kiosk/img/rice.svg"


@pytest.mark.parametrize("name", [
    "0" * 64 + ".png",        # the right shape, never stored
    "../../secret.png",
    "..%2F..%2Fconfig.py",
    "abc.png",
    "0" * 64 + ".svg",
])
def test_a_photo_not_stored_is_a_problem_404(client, zh_client, uploads, name):
    body = assert_problem(client.get(f"/api/v1/supermarkets/photos/{name}"), 404)
    assert body["code"] in ("photo_not_found", "not_found")
    if body["code"] == "photo_not_found":
        zh = assert_problem(zh_client.get(f"/api/v1/supermarkets/photos/{name}"), 404, "photo_not_found")
        assert zh["detail"] == "没有这张照片。" and body["detail"] == "No such photo."


def test_the_kiosk_goods_list_shows_the_uploaded_photo(client, signed_in_kiosk, make_item, make_staff, login, uploads):
    item = make_item(signed_in_kiosk.shop, stock=5)
    worker = login(make_staff(worker=[signed_in_kiosk.community]))
    photo = upload(client, signed_in_kiosk.shop, item, image_bytes(), headers=worker).get_json()["photo"]
    catalogue = client.get("/api/v1/kiosk/catalogue", headers=signed_in_kiosk.headers).get_json()
    assert [i["photo"] for i in catalogue["items"] if i["id"] == item.id] == [photo]
    assert client.get(photo).status_code == 200


@pytest.fixture
def signed_in_kiosk(shop_setup, kiosk_login):
    shop_setup.headers = kiosk_login(shop_setup.kiosk, shop_setup.resident)
    return shop_setup
