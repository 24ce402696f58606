"""Residents' photos (photovoice): checked, decoded and re-encoded so only the picture is kept.

Photovoice (GezondIn werkboek 2026, chapter 6): residents photograph what matters to them in
their living environment, and the photos start the conversation. A phone photo carries more
than the picture: EXIF and XMP metadata with the place it was taken (GPS), the time and the
camera, and a file can carry a payload after the image data (a "polyglot" file that is also a
ZIP or a script). :func:`clean_photo` therefore never stores what was uploaded: it decodes the
pixels with Pillow, turns them upright as the camera meant (the EXIF orientation), scales them
down to :data:`MAX_EDGE` pixels and writes a new JPEG from the pixels alone. Nothing else of
the upload survives. Limits: :data:`MAX_UPLOAD_BYTES`, JPEG, PNG or WebP only, and at most
:data:`MAX_PIXELS` pixels before decoding (Pillow's decompression-bomb guard, raised to an
error here).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from gezondewijk._errors import InputDataError

#: Largest upload accepted (a phone photo is 2-8 MB).
MAX_UPLOAD_BYTES = 12 * 2**20
#: Largest image accepted, in pixels (a 48-megapixel phone camera is 48 million).
MAX_PIXELS = 60_000_000
#: Longest side of a stored photo, in pixels (enough for a screen and a fact sheet).
MAX_EDGE = 1600
#: The formats a resident may upload (Pillow's names).
FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 85


@dataclass(frozen=True)
class CleanPhoto:
    """A photo as stored: a new JPEG made from the pixels only."""

    jpeg: bytes
    width: int
    height: int


def clean_photo(data: bytes, *, field: str = "foto") -> CleanPhoto:
    """Check an uploaded photo and return a new JPEG with only its pixels.

    Parameters
    ----------
    data
        The uploaded file, as received.
    field
        The form field, named in error messages.

    Raises
    ------
    InputDataError
        Too large, not a JPEG, PNG or WebP, too many pixels, or not readable; the message
        says what to do (in Dutch and English).
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputDataError(
            f"de foto is {len(data) / 2**20:.1f} MB; het maximum is "
            f"{MAX_UPLOAD_BYTES // 2**20} MB / the photo is too large",
            field=field,
            fix="kies een kleinere foto of verklein hem eerst / choose a smaller photo",
        )
    if not data:
        raise InputDataError(
            "er is geen foto meegestuurd / no photo was sent",
            field=field,
            fix="kies een foto (JPEG, PNG of WebP) / choose a photo",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise Image.DecompressionBombError(f"{width} × {height} pixels")
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputDataError(
            f"de foto heeft meer dan {MAX_PIXELS // 1_000_000} miljoen pixels / too many pixels",
            field=field,
            fix="verklein de foto eerst / make the photo smaller first",
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise InputDataError(
            "dit bestand is geen leesbare JPEG-, PNG- of WebP-foto / not a readable photo",
            field=field,
            fix="kies een foto van je telefoon of computer (JPEG, PNG of WebP) / "
            "choose a JPEG, PNG or WebP photo",
        ) from None
    rgb = _rgb(upright)
    rgb.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
    # a new image from the pixels alone: no info, EXIF, XMP, ICC profile or comments carried
    fresh = Image.new("RGB", rgb.size)
    fresh.paste(rgb)
    out = io.BytesIO()
    fresh.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanPhoto(out.getvalue(), fresh.width, fresh.height)


def _rgb(image: Image.Image) -> Image.Image:
    """The image as RGB; transparency goes onto white (JPEG has none)."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")
