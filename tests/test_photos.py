"""Photovoice uploads: only the pixels survive; bad files get a clear message."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import undefer

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.demo.leefplekmeter import make_demo_campaign
from gezondewijk.leefplekmeter.photos import (
    MAX_EDGE,
    MAX_UPLOAD_BYTES,
    clean_photo,
    parse_photo_form,
)
from gezondewijk.reports import load_map_data
from gezondewijk.store.models import Photo
from gezondewijk.web import WebSettings, create_app
from gezondewijk.web.routes_photos import UPLOAD_BODY_BYTES

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


# --- photovoice in the web app, on SQLite and PostgreSQL ----------------------------------


@pytest.fixture
def photo_app(db_url: str, map_dir: Path) -> Any:
    app = create_app(
        WebSettings(database_url=db_url, submit_limit_per_minute=10_000, map_dir=map_dir)
    )
    yield app
    app.state.engine.dispose()


def _organiser(app: Any) -> tuple[TestClient, str, str, str]:
    """A logged-in organiser, their CSRF token, a campaign in two demo buurten, a buurt code."""
    buurten = load_map_data(app.state.settings.map_dir).buurten
    areas = [(str(c), str(n)) for c, n in buurten[["buurtcode", "buurtnaam"]].head(2).values]
    campaign = make_demo_campaign(app.state.sessions, areas=areas, n=0)
    client = TestClient(app)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert token
    client.post(
        "/login",
        data={"email": "demo@gezondewijk.nl", "password": "demo-wachtwoord", "csrf": token[1]},
    )
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/beheer").text)
    assert csrf
    return client, csrf[1], campaign.code, areas[0][0]


def _send(client: TestClient, code: str, photo: bytes, **fields: str) -> Any:
    form = {"caption": "Bankje bij de vijver", "theme": "natuur_groen", "consent": "ja"} | fields
    return client.post(
        f"/c/{code}/foto", data=form, files={"foto": ("IMG_0001.jpg", photo, "image/jpeg")}
    )


def _stored(app: Any) -> list[Photo]:
    with app.state.sessions() as session:
        return list(session.scalars(select(Photo).options(undefer(Photo.jpeg))))


def test_photovoice_from_upload_to_fact_sheet(photo_app: Any) -> None:
    lead, csrf, code, buurt = _organiser(photo_app)
    resident = TestClient(photo_app)
    # off until the organiser turns it on
    assert resident.get(f"/c/{code}/foto").status_code == 404
    assert _send(resident, code, _jpeg()).status_code == 404
    assert "Foto toevoegen" not in resident.get(f"/c/{code}").text
    r = lead.post(f"/beheer/{code}/fotos/aan", data={"csrf": csrf, "aan": "ja"})
    assert r.status_code == 200 and "Aan: bewoners kunnen foto" in r.text
    assert "Foto toevoegen" in resident.get(f"/c/{code}").text
    # bad input: every field named, nothing stored
    r = resident.post(
        f"/c/{code}/foto",
        data={"caption": "", "theme": "onbekend", "lat": "40.0", "lon": "4.3"},
        files={"foto": ("x.jpg", b"<?php echo 1; ?>", "image/jpeg")},
    )
    assert r.status_code == 422
    for anchor in ("#f-foto", "#f-caption", "#f-theme", "#f-lat", "#f-consent"):
        assert anchor in r.text
    assert "geen leesbare JPEG" in r.text and _stored(photo_app) == []
    # a phone photo with GPS, camera and a payload after the picture
    upload = _jpeg((800, 600)) + b"PK\x03\x04payload.sh"
    r = _send(resident, code, upload, buurtcode=buurt, lat="52,012345", lon="4.356789")
    assert r.status_code == 200 and "zodra een organisator" in r.text
    assert "set-cookie" not in r.headers
    (photo,) = _stored(photo_app)
    assert photo.review == "pending" and (photo.lat, photo.lon) == (52.012, 4.357)
    assert b"SpyPhone" not in photo.jpeg and b"payload" not in photo.jpeg
    assert Image.open(io.BytesIO(photo.jpeg)).getexif() == {}
    # pending: only the organiser sees it, and no cache keeps it
    url = f"/c/{code}/foto/{photo.id}.jpg"
    assert resident.get(url).status_code == 404
    r = lead.get(url)
    assert r.status_code == 200 and "no-store" in r.headers["cache-control"]
    assert url not in resident.get(f"/buurt/{buurt}").text
    # approved: public, on the results page under its theme and on the buurt's fact sheet
    page = lead.get(f"/beheer/{code}/fotos")
    assert "Bankje bij de vijver" in page.text and "1 nieuw" in page.text
    r = lead.post(
        f"/beheer/{code}/fotos",
        data={"csrf": csrf, "photo_id": str(photo.id), "decision": "approved"},
    )
    assert r.status_code == 200
    r = resident.get(url)
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    results = lead.get(f"/beheer/{code}").text.split("Foto's van bewoners")[1]
    assert "Natuur en groen" in results and url in results
    sheet = resident.get(f"/buurt/{buurt}").text
    assert url in sheet and "Bankje bij de vijver" in sheet
    # another organiser's campaign cannot review it; rejecting hides it again
    r = lead.post(
        f"/beheer/{code}/fotos",
        data={"csrf": csrf, "photo_id": str(photo.id + 99), "decision": "approved"},
    )
    assert r.status_code == 404
    lead.post(
        f"/beheer/{code}/fotos",
        data={"csrf": csrf, "photo_id": str(photo.id), "decision": "rejected"},
    )
    assert resident.get(url).status_code == 404
    assert url not in resident.get(f"/buurt/{buurt}").text
    # deleting the campaign deletes its photos
    lead.post(f"/beheer/{code}/verwijder", data={"csrf": csrf, "bevestig": code})
    assert _stored(photo_app) == []


def test_photo_upload_limits(photo_app: Any) -> None:
    lead, csrf, code, _ = _organiser(photo_app)
    lead.post(f"/beheer/{code}/fotos/aan", data={"csrf": csrf, "aan": "ja"})
    resident = TestClient(photo_app)
    # larger than the upload route's own limit: refused before it is read
    r = _send(resident, code, b"\xff" * (UPLOAD_BODY_BYTES + 1))
    assert r.status_code == 413
    # bigger than the rest of the app takes (200 kB) is fine on this route
    big = io.BytesIO()
    Image.effect_noise((700, 700), 80).convert("RGB").save(big, format="PNG")
    assert len(big.getvalue()) > 300_000
    r = resident.post(
        f"/c/{code}/foto",
        data={"caption": "Ruis", "theme": "wonen", "consent": "ja"},
        files={"foto": ("ruis.png", big.getvalue(), "image/png")},
    )
    assert r.status_code == 200, r.text
    # two files in one form are refused
    r = resident.post(
        f"/c/{code}/foto",
        data={"caption": "Twee", "theme": "wonen", "consent": "ja"},
        files=[
            ("foto", ("a.jpg", _jpeg(), "image/jpeg")),
            ("foto", ("b.jpg", _jpeg(), "image/jpeg")),
        ],
    )
    assert r.status_code == 400
    assert len(_stored(photo_app)) == 1


def test_photo_form_checks_by_field() -> None:
    with pytest.raises(InputDataErrors) as caught:
        parse_photo_form({"caption": "x" * 600, "theme": "wonen", "buurtcode": "BU1"}, areas=[])
    assert {e.field for e in caught.value.errors} == {"caption", "buurtcode", "consent"}
    ok = parse_photo_form(
        {"caption": " Een\tboom \x07", "theme": "wonen", "consent": "ja", "lat": "", "lon": ""},
        areas=[],
    )
    assert ok.caption == "Een boom" and ok.lat is None
