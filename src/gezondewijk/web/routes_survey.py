"""Residents' pages: join with a code, fill in the Leefplekmeter, thanks. No account, no cookie."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gezondewijk._errors import InputDataErrors
from gezondewijk.leefplekmeter.modes import MODES
from gezondewijk.web.deps import (
    campaign_or_404,
    closed_page,
    limited,
    receive,
    render,
    resident_mode,
    survey_context,
)

router = APIRouter(include_in_schema=False)


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
def home(request: Request, lang: str = "nl") -> Response:
    """Start page: what this is, the code from the invitation, the map and the organisers."""
    return render(request, "home.html", lang="en" if lang == "en" else "nl")


@router.post("/doe-mee")
def join(code: str = Form(...)) -> Response:
    """Go from a typed code to the campaign's form."""
    clean = "".join(ch for ch in code.upper() if ch.isalnum())[:12]
    return RedirectResponse(f"/c/{clean}", status_code=303)


@router.get("/c/{code}", response_class=HTMLResponse)
def survey(request: Request, code: str, lang: str | None = None) -> Response:
    """The Leefplekmeter form of a campaign (or why it cannot be filled in now)."""
    campaign = campaign_or_404(request, code, recent=True)
    language = lang if lang in ("nl", "en") else campaign.language
    closed = closed_page(request, campaign, language)
    if closed is not None:
        return closed
    ctx = survey_context(request, campaign, language, mode=resident_mode(campaign))
    return render(request, "survey.html", **ctx)


@router.post("/c/{code}", response_class=HTMLResponse)
async def submit(request: Request, code: str) -> Response:
    """Store a resident's form once, then thank them (kiosk: back to a fresh form)."""
    campaign = campaign_or_404(request, code, recent=True)
    closed = closed_page(request, campaign, campaign.language)
    if closed is not None:
        return closed
    busy = limited(request)
    if busy is not None:
        return busy
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    mode = resident_mode(campaign)
    lang = form["lang"] if form.get("lang") in ("nl", "en") else campaign.language
    try:
        receive(request, campaign, form, mode, lang=lang)
    except InputDataErrors as exc:
        ctx = survey_context(request, campaign, lang, mode=mode, errors=exc.errors, values=form)
        return render(request, "survey.html", status_code=422, **ctx)
    return render(
        request,
        "thanks.html",
        campaign=campaign,
        kiosk=MODES[resident_mode(campaign)].shared_device,
        lang=lang,
        seconds=15,
    )
