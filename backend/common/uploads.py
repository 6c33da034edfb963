"""Uploaded files judged by what they are, not by what they are called.

The type is read from the file's first bytes (never trusted from the name or the browser's
``Content-Type``), and the file is read with a cap so a large one is refused without being held
whole in memory. Each domain decides which types it takes and how it answers a refusal.
"""

#: (first bytes, content type, file extension) of the types any upload may be
SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
]
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
#: how many first bytes ``sniff`` needs
HEAD_BYTES = 16


def sniff(head):
    """(content type, extension) of a file by its first bytes, or (None, None) for anything else."""
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None, None


def read_capped(file, limit):
    """At most ``limit + 1`` bytes of an uploaded file: more than ``limit`` means it is too large."""
    return file.read(limit + 1)
