"""Photovoice: residents add photos to a campaign; organisers approve each one first.

GezondIn werkboek 2026, chapter 6: residents photograph what matters to them in their
living environment. The organiser turns it on per campaign. An upload is limited in size
(this route's own body limit), decoded and written anew from its pixels
(:func:`gezondewijk.leefplekmeter.photos.clean_photo`: no EXIF location, camera or payload
survives), and stored as ``pending``; only approved photos are shown publicly (the buurt's
fact sheet, ``/c/{code}/foto/{id}.jpg``). A place is kept to about 100 m. No IP address,
cookie or time of day is stored with a photo.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.leefplekmeter.photos import (
    MAX_EDGE,
    MAX_UPLOAD_BYTES,
    clean_photo,
    parse_photo_form,
)
from gezondewijk.leefplekmeter.themes import themes
from gezondewijk.store.db import transaction
from gezondewijk.store.models import Campaign, Photo
from gezondewijk.store.photos import (
    PhotoLimitError,
    add_photo,
    photos_of,
    review_photo,
)
from gezondewijk.web.deps import (
    OwnCampaign,
    SessionDep,
    campaign_or_404,
    check_csrf,
    closed_page,
    current_user,
    factory,
    limited,
    loaded_map,
    may_manage,
    render,
    stored_campaign,
)
from gezondewijk.web.state import state_of

router = APIRouter(include_in_schema=False)

#: The upload route's own body limit: the photo plus its form fields.
UPLOAD_BODY_BYTES = MAX_UPLOAD_BYTES + 64_000


def _theme_names() -> dict[str, str]:
    return {t.key: t.name["nl"] for t in themes()}


def _taking_photos(request: Request, code: str) -> Campaign | Response:
    """The campaign, or the page that says why it takes no photos now (closed, or off)."""
    campaign = campaign_or_404(request, code, recent=True)
    closed = closed_page(request, campaign, campaign.language)
    if closed is not None:
        return closed
    if not campaign.photovoice:
        return _off(request, campaign)
    return campaign


def _off(request: Request, campaign: Campaign) -> Response:
    return render(
        request,
        "message.html",
        status_code=404,
        title=campaign.title,
        text="Bij deze Leefplekmeter kunnen geen foto's worden toegevoegd. / "
        "This campaign takes no photos.",
        back=f"/c/{campaign.code}",
    )


def _form_page(
    request: Request,
    campaign: Campaign,
    *,
    status_code: int = 200,
    errors: list[InputDataError] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "photo_upload.html",
        status_code=status_code,
        campaign=campaign,
        themes=themes(),
        areas=campaign.area_list(),
        errors=errors or [],
        error_fields={e.field for e in errors or []},
        values=values or {},
        max_mb=MAX_UPLOAD_BYTES // 2**20,
        max_bytes=MAX_UPLOAD_BYTES,
        max_edge=MAX_EDGE,
        bounds=_bounds(request, campaign),
        basemap=state_of(request).settings.basemap_url,
    )


def _bounds(request: Request, campaign: Campaign) -> str:
    """West, south, east, north of the campaign's buurten, for the map to pick a place on.

    All the run's buurten when the campaign has none; ``""`` when no run is loaded.
    """
    data = loaded_map(request)
    if data is None:
        return ""
    codes = [c for c, _ in campaign.area_list()]
    shown = data.buurten[data.buurten["buurtcode"].isin(codes)] if codes else data.buurten
    box = (shown if len(shown) else data.buurten).total_bounds
    return ",".join(f"{v:.5f}" for v in box)


@router.get("/c/{code}/foto", response_class=HTMLResponse)
def upload_page(request: Request, code: str) -> Response:
    """The form to add a photo with a caption, a theme and optionally a buurt and place."""
    campaign = _taking_photos(request, code)
    if isinstance(campaign, Response):
        return campaign
    return _form_page(request, campaign)


async def _upload(request: Request) -> tuple[bytes, dict[str, str]]:
    """The posted photo (at most one file) and the text fields."""
    # the context closes the spooled upload file, also when reading fails
    async with request.form(max_files=1, max_fields=20) as form:
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        upload = form.get("foto")
        data = b""
        if isinstance(upload, UploadFile):
            data = await upload.read(MAX_UPLOAD_BYTES + 1)
    return data, fields


@router.post("/c/{code}/foto", response_class=HTMLResponse, max_body_size=UPLOAD_BODY_BYTES)
async def upload(request: Request, code: str) -> Response:
    """Check, clean and store a photo as ``pending``; say it is shown once approved."""
    campaign = _taking_photos(request, code)
    if isinstance(campaign, Response):
        return campaign
    busy = limited(request)
    if busy is not None:
        return busy
    data, fields = await _upload(request)
    errors: list[InputDataError] = []
    photo = None
    try:
        photo = clean_photo(data, field="foto")
    except InputDataError as exc:
        errors.append(exc)
    try:
        checked = parse_photo_form(fields, areas=[c for c, _ in campaign.area_list()])
    except InputDataErrors as exc:
        errors += exc.errors
    if errors or photo is None:
        return _form_page(request, campaign, status_code=422, errors=errors, values=fields)
    with transaction(factory(request)) as session:
        target = session.get(Campaign, campaign.id)
        if target is None:
            raise HTTPException(status_code=404, detail="Deze campagne bestaat niet meer.")
        try:
            add_photo(session, target, checked, photo)
        except PhotoLimitError:
            return render(
                request,
                "message.html",
                status_code=409,
                title=campaign.title,
                text="Er zijn al heel veel foto's bij deze Leefplekmeter; er kunnen er geen "
                "meer bij. / This campaign holds the most photos it can.",
            )
    return render(
        request,
        "message.html",
        title="Bedankt voor uw foto",
        text="Uw foto is ontvangen. Hij is voor anderen te zien zodra een organisator hem "
        "heeft bekeken. / Thank you: your photo is shown once an organiser has approved it.",
        back=f"/c/{campaign.code}/foto",
        back_text="Nog een foto toevoegen",
    )


@router.get("/c/{code}/foto/{photo_id}.jpg")
def photo_file(request: Request, session: SessionDep, code: str, photo_id: int) -> Response:
    """An approved photo (anyone), or any photo of the campaign for its organisers."""
    campaign = campaign_or_404(request, code, recent=True)
    organiser = may_manage(request, current_user(request), campaign)
    photo = session.get(Photo, photo_id)
    shown = photo is not None and photo.campaign_id == campaign.id
    if not shown or (photo is not None and photo.review != "approved" and not organiser):
        raise HTTPException(status_code=404, detail="Deze foto is er niet (of nog niet).")
    assert photo is not None
    jpeg = photo.jpeg
    public = photo.review == "approved"
    return Response(
        jpeg,
        media_type="image/jpeg",
        headers={
            # an approved photo may be kept a few minutes; one under review is never stored
            "Cache-Control": "public, max-age=300" if public else "private, no-store",
            "Content-Disposition": f'inline; filename="foto-{photo_id}.jpg"',
        },
    )


@router.post("/beheer/{code}/fotos/aan")
def switch(
    request: Request, owned: OwnCampaign, code: str, aan: str = Form(""), csrf: str = Form("")
) -> Response:
    """Turn photovoice on (``aan=ja``) or off for a campaign."""
    campaign = owned[1]
    check_csrf(request, csrf)
    with stored_campaign(request, campaign) as (_session, target):
        target.photovoice = aan == "ja"
    return RedirectResponse(f"/beheer/{campaign.code}#fotos", status_code=303)


@router.get("/beheer/{code}/fotos", response_class=HTMLResponse)
def review_page(request: Request, session: SessionDep, owned: OwnCampaign, code: str) -> Response:
    """Every photo of the campaign, new ones first, to approve or reject."""
    user, campaign = owned
    rows = photos_of(session, campaign.id)
    order = {"pending": 0, "approved": 1, "rejected": 2}
    rows.sort(key=lambda p: order.get(p.review, 3))
    return render(
        request,
        "photo_review.html",
        user=user,
        campaign=campaign,
        photos=rows,
        names=_theme_names(),
        areas=dict(campaign.area_list()),
    )


@router.post("/beheer/{code}/fotos")
def review(
    request: Request,
    owned: OwnCampaign,
    code: str,
    photo_id: int = Form(...),
    decision: str = Form(...),
    csrf: str = Form(""),
) -> Response:
    """Approve or reject one photo."""
    campaign = owned[1]
    check_csrf(request, csrf)
    with transaction(factory(request)) as session:
        if not review_photo(session, campaign.id, photo_id, decision):
            raise HTTPException(status_code=404, detail="Deze foto bestaat niet.")
    return RedirectResponse(f"/beheer/{campaign.code}/fotos#foto-{photo_id}", status_code=303)


def photos_by_theme(photos: list[Photo]) -> list[tuple[str, list[Photo]]]:
    """Photos grouped by theme, in the Leefplekmeter's theme order."""
    groups: dict[str, list[Photo]] = {t.key: [] for t in themes()}
    for photo in photos:
        groups.setdefault(photo.theme, []).append(photo)
    names = _theme_names()
    return [(names.get(k, k), v) for k, v in groups.items() if v]


def results_photos(request: Request, campaign: Campaign) -> dict[str, Any]:
    """What the campaign's results page shows of its photos."""
    with factory(request)() as session:
        rows = photos_of(session, campaign.id)
    approved = [p for p in rows if p.review == "approved"]
    return {
        "photo_groups": photos_by_theme(approved),
        "photos_pending": sum(p.review == "pending" for p in rows),
    }
