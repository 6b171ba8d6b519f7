"""Theme images are decoded before they are stored: a file is an image because Pillow can
decode all of it, never because of its name or declared type."""

import io
import warnings

from PIL import Image

from salon.errors import InvalidInput

MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}
_NOT_AN_IMAGE = "image is not a PNG, JPEG, WebP or GIF image that can be decoded"
MAX_PIXELS = 40_000_000
"""Larger than any sensible logo or background (a 600 kB file can claim billions of pixels)."""


def decoded_media_type(data: bytes, limit_bytes: int) -> str:
    """The media type of `data`, once the whole image has been decoded; `InvalidInput` for a
    file over `limit_bytes`, one that is not an image, or a format browsers do not show."""
    if not data:
        raise InvalidInput("image is empty")
    if len(data) > limit_bytes:
        raise InvalidInput(f"image is larger than {limit_bytes // 1000} kB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                if kind not in MEDIA_TYPES:
                    raise InvalidInput("image must be a PNG, JPEG, WebP or GIF file")
                if image.width * image.height > MAX_PIXELS:
                    raise InvalidInput(f"image has more than {MAX_PIXELS} pixels")
                image.load()
    except InvalidInput:
        raise
    except Exception as error:
        # Decoders raise many kinds (OSError, SyntaxError, struct and zlib errors, the
        # decompression-bomb error): any of them means the file is not an image Salon shows.
        raise InvalidInput(_NOT_AN_IMAGE) from error
    return MEDIA_TYPES[kind]
