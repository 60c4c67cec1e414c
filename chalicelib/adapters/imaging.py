"""The photo pipeline in Pillow: untrusted bytes in, clean JPEG derivatives out.

Pillow is imported inside the functions: only the photo function pays for it,
never the API's cold start. Only the parsers of the formats we accept ever read
an upload (``Image.open(formats=…)``): the type is sniffed from the bytes first,
and every other format is refused by name before any decoder runs.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from chalicelib.domain.photo_reasons import (
    DAMAGED,
    MAX_PIXELS,
    NOT_A_PHOTO,
    UNDECODABLE,
    PhotoRejected,
    not_accepted,
    too_many_pixels,
)

DISPLAY_SIZE = 1280
THUMB_SIZE = 320
# What we accept, by the type the bytes declare (never the name or the type the
# phone claims), and the content type a slot may be uploaded with.
ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic"}
ACCEPTED_FORMATS = set(ACCEPTED)
ACCEPTED_TYPES = tuple(ACCEPTED.values())
# Pillow names an Ultra HDR / multi-picture JPEG (current Android phones, many
# cameras) "MPO": it is a JPEG whose first frame is the photo.
_OPENED_AS = {"JPEG": {"JPEG", "MPO"}, "PNG": {"PNG"}, "WEBP": {"WEBP"}, "HEIF": {"HEIF"}}
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis")
_AVIF_BRANDS = (b"avif", b"avis")
_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"DDS ", "DDS"),
    (b"%PDF", "PDF"),
    (b"8BPS", "PSD"),
)


@dataclass(frozen=True)
class Derivatives:
    display: bytes
    thumb: bytes
    width: int  # of the display derivative
    height: int
    source_format: str
    source_size: tuple[int, int]


def sniff(data: bytes) -> str | None:
    """The image type the bytes themselves declare (their magic number), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp":
        size = int.from_bytes(data[:4], "big")
        brands = {data[8:12]} | {data[i : i + 4] for i in range(16, min(size, 64), 4)}
        if brands & set(_AVIF_BRANDS):  # AVIF says so among its compatible brands too
            return "AVIF"
        return "HEIF" if brands & set(_HEIF_BRANDS) else None
    return next((kind for magic, kind in _SIGNATURES if data.startswith(magic)), None)


def refuse_unless_accepted(kind: str | None) -> str:
    """The sniffed type if we accept it; otherwise the reason, as PhotoRejected."""
    if kind in ACCEPTED:
        return kind
    raise PhotoRejected(not_accepted(kind) if kind else NOT_A_PHOTO)


def _jpeg(image, quality: int, progressive: bool) -> bytes:
    out = io.BytesIO()
    # No exif=, no icc/xmp/comment: the derivative carries pixels only. Progressive
    # for the display image (it sharpens as it arrives on a slow network); no
    # optimize=: it costs more time than the bytes it saves are worth here.
    image.save(out, "JPEG", quality=quality, progressive=progressive)
    return out.getvalue()


def _open(data: bytes, kind: str):
    """Open with the one parser the sniffed type names; check the size from the
    header, before any pixel is decoded."""
    from PIL import Image

    if kind == "HEIF":  # iPhone photos: libheif (pillow-heif), registered only now
        import pillow_heif

        pillow_heif.register_heif_opener()
    image = Image.open(io.BytesIO(data), formats=[kind])
    if image.format not in _OPENED_AS[kind]:  # pragma: no cover - formats= forbids it
        raise PhotoRejected(not_accepted(str(image.format)))
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise PhotoRejected(too_many_pixels((width, height)))
    return image


def check_header(data: bytes) -> None:
    """Refuse what the header already condemns (type, pixel count): used on files
    too small to hold a photo, so a 38-byte bomb is called a bomb, not "small"."""
    from PIL import Image

    kind = sniff(data)
    if kind is None:
        return  # no image type at all: the size is the reason
    refuse_unless_accepted(kind)
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            _open(data, kind)
        except PhotoRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PhotoRejected(too_many_pixels()) from exc
        except Exception:  # any parser error: the size check decides
            return


def make_derivatives(data: bytes) -> Derivatives:
    """Validate and re-encode: upright, metadata-free display and thumbnail JPEGs."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    kind = refuse_unless_accepted(sniff(data))
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own header check, at our limit
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that: make it an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = _open(data, kind)
            width, height = image.size
            source = (kind, image.size)
            if kind == "JPEG":
                # Decode at 1/2, 1/4 or 1/8 scale straight from the DCT: far less
                # work and memory than a full decode of a 12 MP photo. (An MPO's
                # first frame is the photo, and the one decoded here.)
                long_side = max(width, height)
                scale = max(1, long_side // DISPLAY_SIZE)
                image.draft("RGB", (max(1, width // scale), max(1, height // scale)))
            image = ImageOps.exif_transpose(image)  # upright, from EXIF orientation
            if image.mode in ("RGBA", "LA", "PA") or (
                image.mode == "P" and "transparency" in image.info
            ):
                rgba = image.convert("RGBA")
                background = Image.new("RGB", rgba.size, (255, 255, 255))
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            else:
                image = image.convert("RGB")
            # BICUBIC after thumbnail's own reduce() step: the quality of LANCZOS for
            # downscaling at two thirds of the time.
            image.thumbnail((DISPLAY_SIZE, DISPLAY_SIZE), Image.Resampling.BICUBIC)
            image.info.clear()  # comments, ICC, XMP, EXIF: nothing rides along
            display = _jpeg(image, 82, progressive=True)
            thumb_image = image.copy()
            thumb_image.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.Resampling.BICUBIC)
            thumb = _jpeg(thumb_image, 78, progressive=False)
        except PhotoRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise PhotoRejected(too_many_pixels()) from exc
        except UnidentifiedImageError as exc:  # the magic number lied
            raise PhotoRejected(NOT_A_PHOTO) from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:  # truncated or corrupt
            raise PhotoRejected(DAMAGED) from exc
        except Exception as exc:  # any decoder failure on untrusted bytes
            # (NotImplementedError, struct.error, MemoryError…) ends as a rejection with
            # a reason, once: never a retry loop and a dead letter.
            raise PhotoRejected(UNDECODABLE) from exc
    return Derivatives(display, thumb, image.width, image.height, source[0], source[1])
