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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.leefplekmeter.themes import theme_keys

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
    if is_heic(data):
        raise InputDataError(
            "dit is een HEIC-foto (iPhone), die kunnen we niet lezen / HEIC photos cannot be read",
            field=field,
            fix="kies 'Meest compatibel' bij Instellingen > Camera > Formaten, of deel de foto "
            "als JPEG / set the camera to 'Most compatible' or share the photo as JPEG",
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


#: ISO base media file brands of HEIF/HEIC images (the ``ftyp`` box at byte 4).
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")


def is_heic(data: bytes) -> bool:
    """Whether ``data`` is a HEIF/HEIC image: ``ftyp`` and a HEIF brand at byte 4."""
    return len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS


def _rgb(image: Image.Image) -> Image.Image:
    """The image as RGB; transparency goes onto white (JPEG has none)."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


#: Longest caption.
MAX_CAPTION = 500
#: Decimals a place is kept to: 3 decimals of a degree is about 110 m north-south and 70 m
#: east-west in the Netherlands, so a photo taken at home does not give away the address.
PLACE_DECIMALS = 3
#: Where a place may be (the Netherlands with its waters, WGS84: lon, lat).
NL_BOX = (3.2, 50.7, 7.3, 53.7)


@dataclass(frozen=True)
class PhotoIn:
    """A checked photo form: caption, theme, buurt and place (rounded, or ``None``)."""

    caption: str
    theme: str
    buurtcode: str
    lat: float | None
    lon: float | None


def parse_photo_form(form: Mapping[str, Any], *, areas: list[str]) -> PhotoIn:
    """Check the fields sent with a photo.

    The fields: ``caption``, ``theme``, ``buurtcode`` (optional), ``lat``/``lon`` (optional,
    kept to :data:`PLACE_DECIMALS` decimals) and ``consent`` (``ja``).

    Raises
    ------
    InputDataErrors
        Every field at fault, in Dutch and English, naming the field; nothing is stored.
    """
    errors: list[InputDataError] = []
    # control characters out first (a tab becomes a space), then runs of spaces made one
    raw = "".join(ch if ch >= " " else " " for ch in str(form.get("caption") or ""))
    caption = " ".join(raw.split())
    if not caption:
        errors.append(
            InputDataError(
                "schrijf kort wat de foto laat zien / write what the photo shows",
                field="caption",
            )
        )
    elif len(caption) > MAX_CAPTION:
        errors.append(
            InputDataError(
                f"het onderschrift is langer dan {MAX_CAPTION} tekens / caption too long",
                field="caption",
                fix="maak het korter / make it shorter",
            )
        )
    theme = str(form.get("theme") or "")
    if theme not in theme_keys():
        errors.append(
            InputDataError("kies het thema waar de foto over gaat / choose a theme", field="theme")
        )
    buurt = str(form.get("buurtcode") or "")
    if buurt and buurt not in areas:
        errors.append(
            InputDataError(
                "deze buurt hoort niet bij deze Leefplekmeter / unknown area",
                field="buurtcode",
                fix="kies een buurt uit de lijst of laat het leeg",
            )
        )
    lat, lon = _place(errors, form.get("lat"), form.get("lon"))
    if str(form.get("consent") or "") != "ja":
        errors.append(
            InputDataError(
                "vink aan dat er geen herkenbare mensen op staan, of dat zij het goedvinden / "
                "confirm that nobody is recognisable, or that they agreed",
                field="consent",
            )
        )
    if errors:
        raise InputDataErrors(errors)
    return PhotoIn(caption[:MAX_CAPTION], theme, buurt, lat, lon)


def _place(
    errors: list[InputDataError], lat_raw: object, lon_raw: object
) -> tuple[float | None, float | None]:
    lat_text, lon_text = str(lat_raw or "").strip(), str(lon_raw or "").strip()
    if not lat_text and not lon_text:
        return None, None
    try:
        lat, lon = float(lat_text.replace(",", ".")), float(lon_text.replace(",", "."))
    except ValueError:
        lat = lon = float("nan")
    west, south, east, north = NL_BOX
    if not (south <= lat <= north and west <= lon <= east):
        errors.append(
            InputDataError(
                "deze plek ligt niet in Nederland of is niet te lezen / place not understood",
                field="lat",
                fix="kies de plek opnieuw, of laat hem leeg / choose again or leave it empty",
            )
        )
        return None, None
    return round(lat, PLACE_DECIMALS), round(lon, PLACE_DECIMALS)
