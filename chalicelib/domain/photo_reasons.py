"""What a photo may be, and why one is refused: in Bahasa Indonesia first, then English
(the reporter reads the reason on their phone)."""

from __future__ import annotations

MAX_PIXELS = 40_000_000  # ~40 MP: above any phone camera, below a decompression bomb


class PhotoRejected(Exception):
    """The bytes are not a photo we accept; ``str(exc)`` tells the reporter why,
    in Bahasa Indonesia first, then English."""


def reason(bahasa: str, english: str) -> str:
    return f"{bahasa} / {english}"


SEND = reason("kirim foto JPEG, PNG, WebP atau HEIC", "send a JPEG, PNG, WebP or HEIC photo")
TOO_SMALL = reason("berkas terlalu kecil untuk sebuah foto", "the file is too small to be a photo")
NOT_A_PHOTO = reason(
    "berkas ini bukan gambar JPEG, PNG, WebP atau HEIC",
    "this is not a JPEG, PNG, WebP or HEIC image",
)
DAMAGED = reason(
    "berkas gambar rusak atau tidak lengkap", "the image file is damaged or incomplete"
)
UNDECODABLE = reason(
    "gambar ini tidak dapat dibaca; kirim foto lain", "the image could not be decoded; send another"
)


def too_many_pixels(size: tuple[int, int] | None = None) -> str:
    shown = f" ({size[0]}x{size[1]})" if size else ""
    most = MAX_PIXELS // 1_000_000
    return reason(
        f"gambar terlalu besar{shown}; paling banyak {most} MP",
        f"the image has too many pixels{shown}; at most {most} MP",
    )


def not_accepted(kind: str) -> str:
    return reason(f"format {kind} tidak diterima", f"{kind} is not accepted") + "; " + SEND
