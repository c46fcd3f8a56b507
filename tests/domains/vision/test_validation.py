"""Every kind of bad upload is refused with its own code and HTTP status; good ones pass."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from domains.vision.exceptions import VisionError
from domains.vision.validation import (
    CorruptImage,
    DecompressionBomb,
    EmptyImage,
    ErrorBody,
    ImageTooLarge,
    InvalidImage,
    NotAnImage,
    UnsupportedFormat,
    validate_image,
)


def encode(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else 128).save(out, format=fmt)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge size: the shape of a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "GIF", "BMP"])
def test_accepts_the_allowed_formats(fmt: str) -> None:
    info = validate_image(encode(fmt))
    assert (info.format, info.width, info.height) == (fmt, 40, 30)
    assert info.mime.startswith("image/")


@pytest.mark.parametrize(
    ("data", "error", "code", "status"),
    [
        (b"", EmptyImage, "empty", 400),
        (b"hello, this is plainly text and not a picture", NotAnImage, "not_image", 415),
        (encode("TIFF"), UnsupportedFormat, "unsupported_format", 415),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64, UnsupportedFormat, "unsupported_format", 415),
        (encode("JPEG", (200, 200))[:400], CorruptImage, "corrupt", 400),
        (png_header_only(30_000, 30_000), DecompressionBomb, "decompression_bomb", 413),
    ],
    ids=["empty", "text", "tiff", "heic", "truncated-jpeg", "bomb"],
)
def test_refuses_bad_uploads(data: bytes, error: type, code: str, status: int) -> None:
    with pytest.raises(error) as caught:
        validate_image(data)
    assert isinstance(caught.value, InvalidImage) and isinstance(caught.value, VisionError)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert ErrorBody.of(caught.value).model_dump() == {"code": code, "message": str(caught.value)}


def test_refuses_more_bytes_than_allowed() -> None:
    data = encode("PNG")
    with pytest.raises(ImageTooLarge) as caught:
        validate_image(data, max_bytes=len(data) - 1)
    assert caught.value.status == 413
    assert validate_image(data, max_bytes=len(data)).bytes == len(data)


def test_png_with_a_broken_checksum_is_corrupt() -> None:
    data = bytearray(encode("PNG"))
    data[-20] ^= 0xFF  # inside the IDAT chunk: its CRC no longer matches
    with pytest.raises(CorruptImage):
        validate_image(bytes(data))


def test_pixel_limit_is_configurable() -> None:
    data = encode("PNG", (100, 100))
    with pytest.raises(DecompressionBomb):
        validate_image(data, max_pixels=9_999)
    assert validate_image(data, max_pixels=10_000).width == 100


def noisy_jpeg(size: tuple[int, int] = (640, 480)) -> bytes:
    """A photo-like JPEG: noise does not compress, so its entropy-coded data is most of it."""
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, format="JPEG", quality=90)
    return out.getvalue()


def test_jpeg_keeps_its_full_size_though_checked_at_reduced_scale() -> None:
    info = validate_image(noisy_jpeg())
    assert (info.width, info.height, info.mode) == (640, 480, "RGB")


@pytest.mark.parametrize("kept", [0.3, 0.6, 0.9, 0.99])
def test_jpeg_truncated_inside_its_scan_data_is_corrupt(kept: float) -> None:
    # The scaled-down decode must still read every coded byte: a cut late in the file, far
    # past the headers, is caught.
    data = noisy_jpeg()
    with pytest.raises(CorruptImage):
        validate_image(data[: int(len(data) * kept)])
