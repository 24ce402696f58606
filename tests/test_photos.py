"""Photovoice uploads: only the pixels survive; bad files get a clear message."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from gezondewijk._errors import InputDataError
from gezondewijk.leefplekmeter.photos import MAX_EDGE, MAX_UPLOAD_BYTES, clean_photo

GPS_IFD = 0x8825
MODEL, ORIENTATION, DATETIME = 0x0110, 0x0112, 0x0132


def _rgb(image: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    r, g, b = image.convert("RGB").getpixel(xy)  # type: ignore[misc]
    return int(r), int(g), int(b)


def _jpeg(size: tuple[int, int] = (40, 20), orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue
    exif = Image.Exif()
    exif[MODEL] = "SpyPhone 9 Pro"
    exif[DATETIME] = "2026:11:23 08:15:00"
    exif[GPS_IFD] = {1: "N", 2: (52.0, 0.0, 42.0), 3: "E", 4: (4.0, 21.0, 30.0)}
    if orientation:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"secret comment")
    return out.getvalue()


def test_no_metadata_survives_and_the_picture_does() -> None:
    upload = _jpeg()
    assert b"SpyPhone" in upload and Image.open(io.BytesIO(upload)).getexif().get_ifd(GPS_IFD)
    photo = clean_photo(upload)
    stored = Image.open(io.BytesIO(photo.jpeg))
    assert stored.format == "JPEG" and (photo.width, photo.height) == (40, 20)
    assert len(stored.getexif()) == 0 and "exif" not in stored.info
    assert "comment" not in stored.info and "icc_profile" not in stored.info
    for secret in (b"SpyPhone", b"2026:11:23", b"secret comment", b"Exif"):
        assert secret not in photo.jpeg
    r, _g, b = _rgb(stored, (5, 10))  # the blue half is still blue
    assert b > 150 and r < 90


def test_the_photo_is_turned_upright_before_its_orientation_is_dropped() -> None:
    photo = clean_photo(_jpeg(size=(40, 20), orientation=6))  # taken with the phone on its side
    assert (photo.width, photo.height) == (20, 40)


def test_a_payload_after_the_image_does_not_survive() -> None:
    polyglot = _jpeg() + b"PK\x03\x04" + b"<script>alert(1)</script>" * 20
    photo = clean_photo(polyglot)
    assert b"<script>" not in photo.jpeg and b"PK\x03\x04" not in photo.jpeg


def test_transparent_png_goes_onto_white_and_large_photos_are_scaled() -> None:
    image = Image.new("RGBA", (3000, 1500), (0, 0, 0, 0))
    image.paste((0, 128, 0, 255), (0, 0, 100, 100))
    out = io.BytesIO()
    image.save(out, format="PNG")
    photo = clean_photo(out.getvalue())
    assert (photo.width, photo.height) == (MAX_EDGE, MAX_EDGE // 2)
    stored = Image.open(io.BytesIO(photo.jpeg)).convert("RGB")
    assert min(_rgb(stored, (MAX_EDGE - 5, 700))) > 245  # transparent became white
    assert _rgb(stored, (10, 10))[1] > 100  # the green corner stayed green


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "geen foto"),
        (b"hallo, dit is tekst", "geen leesbare"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "geen leesbare",
        ),
        (b"GIF89a" + b"\x00" * 40, "geen leesbare"),  # GIF is not among the formats
        (b"x" * (MAX_UPLOAD_BYTES + 1), "het maximum is 12 MB"),
    ],
)
def test_bad_uploads_are_refused_with_what_to_do(data: bytes, says: str) -> None:
    with pytest.raises(InputDataError, match=says) as caught:
        clean_photo(data, field="foto_1")
    assert caught.value.field == "foto_1" and caught.value.fix


def test_truncated_photo_and_decompression_bomb_are_refused() -> None:
    upload = _jpeg(size=(400, 300))
    with pytest.raises(InputDataError, match="geen leesbare"):
        clean_photo(upload[: len(upload) // 2])
    bomb = io.BytesIO()
    Image.new("1", (8000, 8000)).save(bomb, format="PNG")  # 64 million pixels, a few kB
    assert len(bomb.getvalue()) < 100_000
    with pytest.raises(InputDataError, match="miljoen pixels"):
        clean_photo(bomb.getvalue())
