"""Photos of supermarket items: uploaded by the shop's staff, served to anyone (they show goods, not people).

A photo is checked by its content (JPEG, PNG or WebP only, by the first bytes and then by Pillow
decoding it), capped in size (``SUPERMARKET_PHOTO_MAX_BYTES``) and in pixels, turned upright and
stripped of its metadata (a phone photo's EXIF may hold where it was taken), shrunk to at most
``EDGE`` pixels a side, and stored under ``UPLOAD_FOLDER/photos/`` named by the SHA-256 of the stored
bytes. The same upload therefore always lands on the same name: an upload is idempotent, and a
name never changes content, so the public route lets browsers keep a photo for a year.
"""
import hashlib
import io
import os
import re
import uuid
import warnings
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from ..audit.service import record_audit, summarize
from ..common.uploads import HEAD_BYTES, IMAGE_TYPES, read_capped, sniff
from ..errors import DomainError, NotFound
from ..extensions import db
from . import service

#: default largest upload (``SUPERMARKET_PHOTO_MAX_BYTES`` overrides)
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
#: a photo with more pixels than this is refused before it is decoded (a "decompression bomb"); a JPEG
#: counts at the reduced size it is decoded at (see ``_normalised``)
MAX_PIXELS = 40_000_000
#: the longest side kept: a kiosk tile and the console's table need far less
EDGE = 1200
FOLDER = "photos"
#: a year, in seconds: a name never changes content
MAX_AGE = 365 * 24 * 3600
#: where the public route answers; an item's ``photo`` is this plus the file name
URL_PREFIX = "/api/v1/supermarkets/photos/"
#: the file names this module writes (and the only ones the public route serves)
NAME = re.compile(r"^[0-9a-f]{64}\.(jpg|png|webp)$")
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def _not_image(detail, message="JPEG, PNG or WebP."):
    return DomainError(detail, code="photo_not_image", status=400, errors={"file": [message]})


def _normalised(data, content_type):
    """The photo upright, without metadata, at most ``EDGE`` a side, encoded again in its own format.

    Decoding also proves the file is the image its first bytes claim (a PDF or zip behind a JPEG
    header does not decode), and encoding again drops anything appended after the image."""
    fmt = _PILLOW_FORMATS[content_type]
    megapixels = MAX_PIXELS // 1_000_000
    try:
        with warnings.catch_warnings():
            # past Pillow's own warning mark the size check below answers with a clear refusal
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[fmt])
        with image:
            if fmt == "JPEG":
                # a phone's 48-megapixel JPEG is decoded at 1/2, 1/4 or 1/8 of its size, never whole
                image.draft("RGB", (EDGE, EDGE))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise DomainError(f"The photo has too many pixels ({width}×{height}); at most {megapixels} million.",
                                  code="photo_too_large", status=413,
                                  errors={"file": [f"At most {megapixels} million pixels."]})
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((EDGE, EDGE))
            if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            elif fmt != "JPEG" and upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                upright = upright.convert("RGBA")
            out = io.BytesIO()
            options = {"PNG": {"optimize": True}, "JPEG": {"quality": 85, "optimize": True},
                       "WEBP": {"quality": 85, "method": 4}}[fmt]
            upright.save(out, format=fmt, **options)
            return out.getvalue()
    except DomainError:
        raise
    except Image.DecompressionBombError as exc:  # so many pixels that Pillow refuses to open it at all
        raise DomainError(f"The photo has too many pixels; at most {megapixels} million.", code="photo_too_large",
                          status=413, errors={"file": [f"At most {megapixels} million pixels."]}) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _not_image("The photo cannot be read: the file is damaged or not really an image.") from exc


def check_photo(file):
    """(stored bytes, extension) of an uploaded photo, or a refusal (400 or 413) before anything is written."""
    limit = current_app.config.get("SUPERMARKET_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES)
    data = read_capped(file, limit)
    if not data:
        raise DomainError("The photo file is empty.", code="photo_empty", status=400,
                          errors={"file": ["Choose a photo that is not empty."]})
    if len(data) > limit:
        megabytes = f"{limit / (1024 * 1024):g}"
        raise DomainError(f"The photo is larger than {megabytes} MB.", code="photo_too_large", status=413,
                          errors={"file": [f"At most {megabytes} MB."]})
    content_type, ext = sniff(data[:HEAD_BYTES])
    if content_type not in IMAGE_TYPES:
        raise _not_image("Only JPEG, PNG or WebP photos; this file is something else.")
    return _normalised(data, content_type), ext


def _store(data, ext):
    """The file name of ``data`` under ``UPLOAD_FOLDER/photos/``, written once (same bytes, same name)."""
    name = f"{hashlib.sha256(data).hexdigest()}.{ext}"
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / FOLDER
    target = folder / name
    if not target.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{uuid.uuid4().hex}.part"  # two uploads of one photo never share a temporary
        temporary.write_bytes(data)
        os.replace(temporary, target)
    return name


def set_item_photo(principal, supermarket_id, item_id, file):
    """Check and store an uploaded photo and make it the item's; the same scope as ``service.update_item``.

    The item is found (and the caller's right to run the shop checked) before the file is read, and
    the file is checked whole before anything is written."""
    shop = service.get_supermarket_for_staff(principal, supermarket_id, run=True)
    item = service.get_item(shop, item_id)
    data, ext = check_photo(file)
    before = summarize(item, service.ITEM_AUDITED)
    item.photo = URL_PREFIX + _store(data, ext)
    db.session.flush()
    record_audit(principal, "supermarket_item.update", "supermarket_item", item.id, before=before,
                 after=summarize(item, service.ITEM_AUDITED))
    return item


def open_photo(name):
    """(absolute path, content type) of a stored photo, for anyone; 404 for any other name or a lost file."""
    if not NAME.match(name or ""):
        raise NotFound("No such photo.", code="photo_not_found")
    path = Path(current_app.config["UPLOAD_FOLDER"]) / FOLDER / name
    if not path.is_file():
        raise NotFound("No such photo.", code="photo_not_found")
    return path, CONTENT_TYPES[name.rsplit(".", 1)[1]]
