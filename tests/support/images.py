"""Real images made on the spot, with the metadata a phone would leave in them."""

from __future__ import annotations

import io
import os
import struct
import zlib

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    b'syntax-ns#"><rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" '
    b'tiff:Make="SecretPhone"/></rdf:RDF></x:xmpmeta>'
)


def noise(width: int, height: int, mode: str = "RGB"):
    from PIL import Image

    bands = len(mode)
    return Image.frombytes(mode, (width, height), os.urandom(width * height * bands))


def camera_jpeg(width: int = 1600, height: int = 1200, orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: EXIF orientation, GPS, device serial, XMP, comment."""
    image = noise(width, height)
    exif = image.getexif()
    exif[0x0112] = orientation
    exif[0x010F] = "SecretPhone"  # Make
    exif[0xA431] = "SN-123456789"  # BodySerialNumber
    exif[0x8825] = {1: "S", 2: (8.0, 3.0, 15.0), 3: "E", 4: (111.0, 42.0, 30.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif, comment=b"reporter: Siti", xmp=XMP)
    return out.getvalue()


def encoded(fmt: str, width: int = 800, height: int = 600, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    noise(width, height, mode).save(out, fmt)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge size in its header, with almost no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
        + b"\x00" * 2048  # above the 1 KB floor
    )


def heic_like() -> bytes:
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 4096


def dds_unimplemented() -> bytes:
    """A DDS file whose DX10 header names a DXGI format Pillow does not implement:
    its parser raises NotImplementedError (Pillow's unimplemented_dxgi_format.dds)."""
    header = bytearray(124)
    struct.pack_into("<IIIIIII", header, 0, 124, 0x1007, 4, 4, 0, 0, 0)
    struct.pack_into("<II4s", header, 72, 32, 4, b"DX10")  # pixel format: a FourCC
    dx10 = struct.pack("<IIIII", 999, 3, 0, 1, 0)
    return b"DDS " + bytes(header) + dx10 + b"\x00" * 2048


def webp_bomb(side: int = 16384) -> bytes:
    """A 30-byte lossless WebP whose header declares side x side pixels."""
    bits = (side - 1) | ((side - 1) << 14)
    vp8l = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 5
    chunk = b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def mpo_jpeg(width: int = 1600, height: int = 1200) -> bytes:
    """A multi-picture JPEG as an Ultra HDR phone or a Fujifilm camera writes it:
    the photo first, a second image (gain map / other eye) after it, EXIF GPS."""
    from PIL import Image

    first, second = noise(width, height), Image.new("RGB", (width // 4, height // 4), "gray")
    exif = first.getexif()
    exif[0x8825] = {1: "S", 2: (8.0, 3.0, 15.0), 3: "E", 4: (111.0, 42.0, 30.0)}
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second], exif=exif, quality=85)
    return out.getvalue()


def avif_like() -> bytes:
    return b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 4096


def heic_photo(width: int = 600, height: int = 800, orientation: int = 1) -> bytes:
    """An iPhone-like HEIC (libheif's x265 encoder) with EXIF: make, GPS, orientation."""
    import pillow_heif

    image = noise(width, height)
    exif = image.getexif()
    exif[0x0112] = orientation
    exif[0x010F] = "SecretPhone"
    exif[0x8825] = {1: "S", 2: (8.0, 3.0, 15.0), 3: "E", 4: (111.0, 42.0, 30.0)}
    out = io.BytesIO()
    pillow_heif.from_pillow(image).save(out, quality=70, exif=exif.tobytes())
    return out.getvalue()
