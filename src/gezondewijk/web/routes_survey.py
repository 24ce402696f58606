"""Residents' pages: join with a code, fill in the Leefplekmeter, thanks. No account, no cookie."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.leefplekmeter.submission import validate
from gezondewijk.leefplekmeter.themes import SCALES, themes
from gezondewijk.store.models import Campaign
from gezondewijk.store.repository import store_submission
from gezondewijk.web.deps import campaign_or_404, factory, render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, lang: str = "nl") -> Response:
    """Start page: enter the code from the invitation."""
    return render(request, "home.html", lang="en" if lang == "en" else "nl")


@router.post("/doe-mee")
def join(code: str = Form(...)) -> Response:
    """Go from a typed code to the campaign's form."""
    clean = "".join(ch for ch in code.upper() if ch.isalnum())[:12]
    return RedirectResponse(f"/c/{clean}", status_code=303)


def survey_context(
    request: Request,
    campaign: Campaign,
    lang: str,
    *,
    mode: str,
    errors: list[InputDataError] | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the survey template needs (shared with the organiser's paper entry page)."""
    scale = SCALES[campaign.scale]
    return {
        "campaign": campaign,
        "themes": themes(),
        "variant": campaign.variant,
        "scale": scale,
        "points": scale.points(),
        "mode": mode,
        "form_token": request.app.state.form_tokens.issue(campaign.code),
        "errors": errors or [],
        "error_fields": {e.field for e in (errors or [])},
        "values": values or {},
        "areas": campaign.area_list(),
        "lang": lang,
    }


@router.get("/c/{code}", response_class=HTMLResponse)
def survey(request: Request, code: str, lang: str | None = None) -> Response:
    """The Leefplekmeter form of a campaign."""
    campaign = campaign_or_404(request, code)
    language = lang if lang in ("nl", "en") else campaign.language
    mode = campaign.mode if campaign.mode in ("kiosk", "walk", "group") else "individual"
    return render(request, "survey.html", **survey_context(request, campaign, language, mode=mode))


def form_to_submission(form: dict[str, Any], mode: str) -> dict[str, Any]:
    """Turn posted form fields into the submission structure the validator expects."""
    answers = []
    for theme in themes():
        raw = str(form.get(f"score_{theme.key}", "")).strip()
        good = str(form.get(f"goed_{theme.key}", ""))
        better = str(form.get(f"beter_{theme.key}", ""))
        if raw == "" and not good.strip() and not better.strip():
            continue
        answer: dict[str, Any] = {"theme": theme.key, "good": good, "better": better}
        if raw == "weet":
            answer["dont_know"] = True
        elif raw:
            try:
                answer["score"] = int(raw)
            except ValueError:
                answer["score"] = raw  # the validator names the field
        else:
            answer["dont_know"] = True
        answers.append(answer)
    group_size = str(form.get("group_size", "1") or "1")
    return {
        "form_token": str(form.get("form_token", "")),
        "mode": mode,
        "respondent_type": str(form.get("respondent_type", "bewoner") or "bewoner"),
        "age_band": str(form.get("age_band", "")),
        "gender": str(form.get("gender", "")),
        "buurtcode": str(form.get("buurtcode", "")),
        "group_size": int(group_size) if group_size.isdigit() else group_size,
        "language": str(form.get("lang", "nl")) if form.get("lang") in ("nl", "en") else "nl",
        "answers": answers,
    }


def receive(request: Request, campaign: Campaign, form: dict[str, Any], mode: str) -> int:
    """Validate and store a posted form; returns the response id.

    Raises
    ------
    InputDataErrors
        With every field at fault; nothing is stored then.
    """
    data = form_to_submission(form, mode)
    if not request.app.state.form_tokens.valid(data["form_token"], campaign.code):
        raise InputDataErrors(
            [
                InputDataError(
                    "dit formulier is verlopen of hoort bij een andere campagne",
                    field="form_token",
                    fix="laad de pagina opnieuw en vul het formulier in",
                )
            ]
        )
    if not data["answers"]:
        raise InputDataErrors(
            [
                InputDataError(
                    "er is geen enkel thema beantwoord",
                    field="answers",
                    fix="geef bij minstens één thema een cijfer of kies 'weet ik niet'",
                )
            ]
        )
    sub = validate(data, scale=campaign.scale, areas=[c for c, _ in campaign.area_list()])
    return store_submission(factory(request), campaign, sub).response_id


@router.post("/c/{code}", response_class=HTMLResponse)
async def submit(request: Request, code: str) -> Response:
    """Store a resident's form once, then thank them (kiosk: back to a fresh form)."""
    campaign = campaign_or_404(request, code)
    client = request.client.host if request.client else "?"
    if not request.app.state.limiter.allow(client):
        return render(
            request,
            "message.html",
            status_code=429,
            title="Even wachten",
            text="Er komen te veel formulieren tegelijk binnen. Probeer het over een "
            "minuut opnieuw. / Too many forms; try again in a minute.",
        )
    form = dict(await request.form())
    mode = campaign.mode if campaign.mode in ("kiosk", "walk", "group") else "individual"
    lang = form.get("lang") if form.get("lang") in ("nl", "en") else campaign.language
    try:
        receive(request, campaign, form, mode)
    except InputDataErrors as exc:
        ctx = survey_context(
            request, campaign, str(lang), mode=mode, errors=exc.errors, values=form
        )
        return render(request, "survey.html", status_code=422, **ctx)
    return render(
        request, "thanks.html", campaign=campaign, kiosk=campaign.mode == "kiosk", lang=lang
    )
