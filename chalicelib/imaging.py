"""The photo pipeline in Pillow: untrusted bytes in, clean JPEG derivatives out.

Pillow is imported inside the functions: only the photo function pays for it,
never the API's cold start.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

MAX_PIXELS = 40_000_000  # ~40 MP: above any phone camera, below a decompression bomb
DISPLAY_SIZE = 1280
THUMB_SIZE = 320
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif")


class PhotoRejected(Exception):
    """The bytes are not a photo we accept; ``str(exc)`` tells the reporter why."""


@dataclass(frozen=True)
class Derivatives:
    display: bytes
    thumb: bytes
    width: int  # of the display derivative
    height: int
    source_format: str
    source_size: tuple[int, int]


def _looks_like_heif(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def _jpeg(image, quality: int, progressive: bool) -> bytes:
    out = io.BytesIO()
    # No exif=, no icc/xmp/comment: the derivative carries pixels only. Progressive
    # for the display image (it sharpens as it arrives on a slow network); no
    # optimize=: it costs more time than the bytes it saves are worth here.
    image.save(out, "JPEG", quality=quality, progressive=progressive)
    return out.getvalue()


def make_derivatives(data: bytes) -> Derivatives:
    """Validate and re-encode: upright, metadata-free display and thumbnail JPEGs."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if _looks_like_heif(data):
        raise PhotoRejected(
            "HEIC/HEIF photos are not supported; please send a JPEG "
            "(iPhone: Settings > Camera > Formats > Most Compatible)"
        )
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own header check, at our limit
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that: make it an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoRejected(f"{image.format} is not accepted; send a JPEG, PNG or WebP")
            width, height = image.size
            if width * height > MAX_PIXELS:  # decided from the header, before decoding
                raise PhotoRejected(
                    f"the image has too many pixels ({width}x{height}); "
                    f"at most {MAX_PIXELS // 1_000_000} MP"
                )
            source = (image.format, image.size)
            if image.format == "JPEG":
                # Decode at 1/2, 1/4 or 1/8 scale straight from the DCT: far less
                # work and memory than a full decode of a 12 MP photo.
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
            raise PhotoRejected(
                f"the image has too many pixels; at most {MAX_PIXELS // 1_000_000} MP"
            ) from exc
        except UnidentifiedImageError as exc:
            raise PhotoRejected("this is not a JPEG, PNG or WebP image") from exc
        except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt data
            raise PhotoRejected("the image file is damaged or incomplete") from exc
    return Derivatives(display, thumb, image.width, image.height, source[0], source[1])
