import io
import os

import pytest
from PIL import Image

from chalicelib.adapters import imaging
from chalicelib.adapters.imaging import PhotoRejected, make_derivatives
from tests.support.images import (
    avif_like,
    camera_jpeg,
    dds_unimplemented,
    encoded,
    heic_like,
    heic_photo,
    mpo_jpeg,
    png_header_only,
    webp_bomb,
)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_camera_jpeg_comes_out_upright_and_without_any_metadata():
    original = camera_jpeg(1600, 1200, orientation=6)  # stored landscape, shown portrait
    out = make_derivatives(original)
    display, thumb = opened(out.display), opened(out.thumb)
    assert display.size == (960, 1280) and max(thumb.size) == 320
    assert thumb.size[0] < thumb.size[1]  # upright portrait too
    for derivative in (out.display, out.thumb):
        image = opened(derivative)
        assert dict(image.getexif()) == {}
        assert not {"exif", "comment", "xmp", "icc_profile"} & set(image.info)
        for secret in (b"Exif", b"SecretPhone", b"SN-123456789", b"Siti", b"xmpmeta"):
            assert secret not in derivative
    # and the test image did carry them
    assert all(s in original for s in (b"Exif", b"SecretPhone", b"Siti", b"xmpmeta"))


@pytest.mark.parametrize(("fmt", "mode"), [("PNG", "RGB"), ("PNG", "RGBA"), ("WEBP", "RGB")])
def test_png_and_webp_are_accepted(fmt, mode):
    out = make_derivatives(encoded(fmt, 800, 600, mode))
    assert out.source_format == fmt and opened(out.display).size == (800, 600)
    assert opened(out.display).mode == "RGB"


def test_small_images_are_not_enlarged():
    out = make_derivatives(encoded("JPEG", 300, 200))
    assert opened(out.display).size == (300, 200) and opened(out.thumb).size == (300, 200)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"this is a text file, named photo.jpg\n" * 100, "not a JPEG, PNG, WebP or HEIC"),
        (camera_jpeg()[:20_000], "damaged or incomplete"),
        (encoded("GIF"), "GIF is not accepted"),
        (encoded("BMP"), "BMP is not accepted"),
        (heic_like(), "not a JPEG, PNG, WebP or HEIC|damaged or incomplete"),
    ],
    ids=["text", "truncated", "gif", "bmp", "heic"],
)
def test_what_is_not_a_photo_we_accept_is_rejected_with_a_reason(data, reason):
    with pytest.raises(PhotoRejected, match=reason):
        make_derivatives(data)


def test_a_decompression_bomb_is_refused_from_its_header_without_decoding(monkeypatch):
    from PIL import ImageFile

    decoded = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(
        ImageFile.ImageFile, "load", lambda self: decoded.append(1) or real_load(self)
    )
    with pytest.raises(PhotoRejected, match="too many pixels"):
        make_derivatives(png_header_only(20000, 20000))
    assert decoded == []


def test_the_pixel_limit_sits_above_any_phone_camera():
    assert imaging.MAX_PIXELS >= 4000 * 3000 * 2 and imaging.MAX_PIXELS <= 50_000_000


def test_a_bomb_just_under_pillows_own_limit_is_refused_too():
    # 7000 x 7000 = 49 MP: above our 40 MP, and the header check refuses it
    with pytest.raises(PhotoRejected, match="too many pixels"):
        make_derivatives(png_header_only(7000, 7000))


# -- photo intake findings (issue #24): real files, made here ----------------------


def blp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "red").convert("P").save(out, "BLP")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (dds_unimplemented(), "DDS is not accepted"),
        (webp_bomb(), "too many pixels"),
        (encoded("BMP", 64, 64), "BMP is not accepted"),
        (blp(), "not a JPEG, PNG, WebP or HEIC"),
        (avif_like(), "AVIF is not accepted"),
        (encoded("TIFF", 64, 64), "TIFF is not accepted"),
    ],
    ids=["dds-unimplemented", "webp-bomb", "bmp", "blp", "avif", "tiff"],
)
def test_each_refusal_says_what_was_actually_wrong_in_both_languages(data, reason):
    with pytest.raises(PhotoRejected, match=reason) as refused:
        make_derivatives(data)
    bahasa, english = str(refused.value).split(" / ", 1)
    assert bahasa and reason in english


def test_no_parser_but_the_accepted_ones_ever_reads_an_upload(monkeypatch):
    Image.init()
    touched: list[str] = []
    for fmt, (factory, accept) in list(Image.OPEN.items()):
        if fmt in ("JPEG", "MPO", "PNG", "WEBP", "HEIF"):
            continue

        def tripwire(*args, _fmt=fmt, _factory=factory, **kwargs):
            touched.append(_fmt)
            return _factory(*args, **kwargs)

        monkeypatch.setitem(Image.OPEN, fmt, (tripwire, accept))
    files = [dds_unimplemented(), encoded("BMP"), encoded("GIF"), blp(), avif_like()]
    files += [b"GRIB" + b"\x00" * 2000, b"\x89HDF\r\n\x1a\n" + b"\x00" * 2000, os.urandom(4096)]
    for data in files:
        with pytest.raises(PhotoRejected):
            make_derivatives(data)
    assert touched == []


def test_any_decoder_exception_is_a_rejection_not_a_crash(monkeypatch):
    from PIL import JpegImagePlugin

    def explode(self, *args, **kwargs):
        raise NotImplementedError("a decoder that gives up")

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", explode)
    with pytest.raises(PhotoRejected, match="could not be decoded"):
        make_derivatives(camera_jpeg())


def test_ultra_hdr_mpo_jpegs_are_accepted_first_frame_without_metadata():
    original = mpo_jpeg(1600, 1200)
    assert Image.open(io.BytesIO(original)).format == "MPO"
    out = make_derivatives(original)
    display = opened(out.display)
    assert out.source_format == "JPEG" and display.size == (1280, 960)
    assert display.format == "JPEG" and dict(display.getexif()) == {}
    # the photo (noise), not the flat grey second picture
    assert all(high - low > 100 for low, high in display.getextrema())


def test_a_tiny_bomb_is_a_bomb_by_its_header():
    with pytest.raises(PhotoRejected, match="too many pixels"):
        imaging.check_header(webp_bomb())
    imaging.check_header(encoded("PNG", 2, 2))  # a tiny real image: nothing to say here


def test_iphone_heic_photos_are_accepted_upright_and_without_metadata():
    # an iPhone keeps its orientation in the HEIF container (irot), which libheif
    # applies on decoding: the pixels arrive upright
    original = heic_photo(600, 800)
    assert original[4:12] == b"ftypheic"
    out = make_derivatives(original)
    display = opened(out.display)
    assert out.source_format == "HEIF" and display.format == "JPEG"
    assert display.size == (600, 800)
    assert dict(display.getexif()) == {} and b"SecretPhone" not in out.display
