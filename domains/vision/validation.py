"""Check an uploaded image before anything else touches it.

Every refusal is a :class:`InvalidImage` subclass with a stable ``code`` and the HTTP ``status``
the edge answers with, so a bad upload becomes a clear 4xx JSON error and never a job:

==================  ======  =====================================================
code                status  when
==================  ======  =====================================================
empty               400     no bytes at all
too_large           413     more bytes than ``max_bytes`` (10 MiB by default)
not_image           415     the bytes are no image format Pillow knows
unsupported_format  415     an image, but not JPEG, PNG, WEBP, GIF or BMP (e.g. HEIC, TIFF)
corrupt             400     truncated or damaged image data
decompression_bomb  413     more pixels than ``max_pixels`` (a small file that inflates)
==================  ======  =====================================================

The pixel limit is checked from the header before any pixel is decoded (Pillow's own, larger
limit raises the same error), so a crafted file cannot make us allocate gigabytes.
"""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, ConfigDict

from domains.vision.exceptions import VisionError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 48-megapixel phone photo passes; anything bigger is suspicious
# Formats a phone or browser sends that Pillow decodes reliably. GIF/BMP cost nothing to accept.
ALLOWED_FORMATS: dict[str, str] = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
}
# ISO-BMFF brands of HEIC/HEIF/AVIF: images Pillow cannot open here, worth naming as such.
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif")


class InvalidImage(VisionError):
    """The upload cannot be used as an image; ``code`` says why."""

    code = "invalid_image"
    status = 400


class EmptyImage(InvalidImage):
    code = "empty"
    status = 400


class ImageTooLarge(InvalidImage):
    code = "too_large"
    status = 413


class NotAnImage(InvalidImage):
    code = "not_image"
    status = 415


class UnsupportedFormat(InvalidImage):
    code = "unsupported_format"
    status = 415


class CorruptImage(InvalidImage):
    code = "corrupt"
    status = 400


class DecompressionBomb(InvalidImage):
    code = "decompression_bomb"
    status = 413


class ImageInfo(BaseModel):
    """What an accepted upload is."""

    model_config = ConfigDict(frozen=True)

    format: str
    mime: str
    width: int
    height: int
    mode: str
    bytes: int


class ErrorBody(BaseModel):
    """The JSON an HTTP edge returns for a refused upload: ``{"code": ..., "message": ...}``."""

    code: str
    message: str

    @classmethod
    def of(cls, error: VisionError) -> ErrorBody:
        return cls(code=error.code, message=error.message)


def _refuse_bomb(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise DecompressionBomb(
            f"image is {width}x{height} = {width * height:,} pixels; at most {max_pixels:,} "
            "are accepted"
        )


def validate_image(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> ImageInfo:
    """Accept ``data`` as a decodable image of an allowed format, or raise :class:`InvalidImage`."""
    if not data:
        raise EmptyImage("the upload is empty; send a JPEG, PNG or WEBP photo")
    if len(data) > max_bytes:
        raise ImageTooLarge(
            f"the upload is {len(data):,} bytes; at most {max_bytes:,} are accepted"
        )
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        raise UnsupportedFormat("HEIC/HEIF/AVIF photos are not supported; send JPEG, PNG or WEBP")
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format or ""
            _refuse_bomb(image.width, image.height, max_pixels)
            if fmt not in ALLOWED_FORMATS:
                raise UnsupportedFormat(
                    f"{fmt or 'this'} images are not supported; send JPEG, PNG or WEBP"
                )
            info = ImageInfo(
                format=fmt,
                mime=ALLOWED_FORMATS[fmt],
                width=image.width,
                height=image.height,
                mode=image.mode,
                bytes=len(data),
            )
            if fmt == "JPEG":
                # Truncation only shows while decoding. libjpeg's DCT scaling still reads
                # every entropy-coded byte but computes 1/64 of the pixels: half the time of
                # a full decode on a phone photo, a third on a small one (docs/api.md).
                image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
                image.load()
                return info
            image.verify()  # checksums and structure (PNG's CRCs), without decoding pixels
        # verify() leaves the image unusable: reopen and decode every pixel to catch
        # truncation that only shows while decoding.
        with Image.open(io.BytesIO(data)) as image:
            image.load()
        return info
    except InvalidImage:
        raise
    except UnidentifiedImageError as exc:
        raise NotAnImage("the upload is not an image; send a JPEG, PNG or WEBP photo") from exc
    except Image.DecompressionBombError as exc:
        raise DecompressionBomb(f"image refused as a decompression bomb: {exc}") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise CorruptImage(f"the image data is damaged or truncated ({exc})") from exc


def image_mime(data: bytes) -> str:
    """The MIME type of an image already accepted by ``validate_image``, from its header only.

    Cheap enough for an event loop (PIL reads the header, no pixel is decoded): the vision
    stage needs the type to send the photo to a model, the API validated the rest at upload.
    """
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format or ""
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise NotAnImage("the stored image is not an image") from exc
    if fmt not in ALLOWED_FORMATS:
        raise UnsupportedFormat(f"{fmt or 'this'} images are not supported")
    return ALLOWED_FORMATS[fmt]
