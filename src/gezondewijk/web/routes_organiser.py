"""Organisers' pages: log in, create campaigns, read results, export, paper forms, delete."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import segno
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from gezondewijk._errors import InputDataErrors
from gezondewijk.leefplekmeter.export import long_format, to_xlsx, wide_format
from gezondewijk.leefplekmeter.paper import paper_form_pdf, spider_sheet_pdf
from gezondewijk.leefplekmeter.perception import load_map_buurten, perception_vs_data
from gezondewijk.leefplekmeter.report import COMPARE_BY, campaign_report
from gezondewijk.leefplekmeter.submission import MODES
from gezondewijk.leefplekmeter.themes import DEFAULT_SCALE, SCALES, VARIANTS
from gezondewijk.store.db import transaction
from gezondewijk.store.models import Campaign
from gezondewijk.store.repository import (
    answers_frame,
    authenticate,
    campaign_by_code,
    count_responses,
    delete_campaign,
    new_code,
    responses_frame,
)
from gezondewijk.web.deps import factory, own_campaign, render, require_user
from gezondewijk.web.routes_survey import receive, survey_context
from gezondewijk.web.security import csrf_ok

router = APIRouter(include_in_schema=False)


def _check_csrf(request: Request, token: str | None) -> None:
    if not csrf_ok(request.session, token):
        raise HTTPException(
            status_code=403,
            detail="Formulier verlopen (CSRF); laad de pagina "
            "opnieuw. / Form expired, reload the page.",
        )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    """Log-in form for organisers."""
    return render(request, "login.html", csrf_login=_login_token(request))


def _login_token(request: Request) -> str:
    from gezondewijk.web.security import csrf_token

    return csrf_token(request.session)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, email: str = Form(...), password: str = Form(...), csrf: str = Form("")
) -> Response:
    """Check the password and start an organiser session."""
    _check_csrf(request, csrf)
    with factory(request)() as session:
        user = authenticate(session, email, password)
    if user is None:
        return render(
            request,
            "login.html",
            status_code=401,
            csrf_login=_login_token(request),
            error="E-mailadres of wachtwoord klopt niet. / Wrong e-mail or password.",
        )
    request.session.clear()
    request.session["user_id"] = user.id
    return RedirectResponse("/beheer", status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    """End the organiser session."""
    _check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/beheer", response_class=HTMLResponse)
def campaigns(request: Request) -> Response:
    """The organiser's campaigns with their number of forms."""
    user = require_user(request)
    with factory(request)() as session:
        stmt = select(Campaign).order_by(Campaign.created_at.desc())
        if user.role != "admin":
            stmt = stmt.where(Campaign.owner_id == user.id)
        rows = [(c, count_responses(session, c.id)) for c in session.scalars(stmt).all()]
    return render(request, "campaigns.html", user=user, rows=rows)


@router.get("/beheer/nieuw", response_class=HTMLResponse)
def new_campaign_page(request: Request) -> Response:
    """Form to create a campaign."""
    user = require_user(request)
    return render(
        request,
        "campaign_new.html",
        user=user,
        variants=VARIANTS,
        scales=SCALES,
        modes=MODES,
        errors=[],
    )


@router.post("/beheer/nieuw", response_class=HTMLResponse)
def new_campaign(
    request: Request,
    title: str = Form(""),
    intro: str = Form(""),
    variant: str = Form("standard"),
    scale: str = Form(""),
    language: str = Form("nl"),
    mode: str = Form("individual"),
    areas: str = Form(""),
    area_names: str = Form(""),
    starts_on: str = Form(""),
    ends_on: str = Form(""),
    csrf: str = Form(""),
) -> Response:
    """Create a campaign and go to its page."""
    user = require_user(request)
    _check_csrf(request, csrf)
    errors = []
    if not title.strip() or len(title) > 200:
        errors.append("Titel: vul een titel in van hooguit 200 tekens.")
    if variant not in VARIANTS:
        errors.append(f"Variant: kies een van {', '.join(VARIANTS)}.")
    scale = scale or DEFAULT_SCALE.get(variant, "cijfer10")  # type: ignore[call-overload]
    if scale not in SCALES:
        errors.append(f"Schaal: kies een van {', '.join(SCALES)}.")
    if mode not in MODES:
        errors.append(f"Werkwijze: kies een van {', '.join(MODES)}.")
    codes = [c.strip().upper() for c in areas.replace(";", ",").split(",") if c.strip()]
    bad = [c for c in codes if not (c.startswith("BU") and len(c) == 10)]
    if bad:
        errors.append(f"Buurten: {', '.join(bad)} is geen buurtcode (BU + 8 tekens).")
    dates = []
    for label, value in (("Begindatum", starts_on), ("Einddatum", ends_on)):
        try:
            dates.append(date.fromisoformat(value) if value else None)
        except ValueError:
            errors.append(f"{label}: gebruik jjjj-mm-dd.")
            dates.append(None)
    if errors:
        return render(
            request,
            "campaign_new.html",
            status_code=422,
            user=user,
            variants=VARIANTS,
            scales=SCALES,
            modes=MODES,
            errors=errors,
        )
    with transaction(factory(request)) as session:
        campaign = Campaign(
            code=new_code(session),
            title=title.strip(),
            intro=intro.strip(),
            variant=variant,
            scale=scale,
            language="en" if language == "en" else "nl",
            mode=mode,
            areas=",".join(codes),
            area_names=area_names.strip(),
            starts_on=dates[0],
            ends_on=dates[1],
            owner_id=user.id,
        )
        session.add(campaign)
        session.flush()
        code = campaign.code
    return RedirectResponse(f"/beheer/{code}", status_code=303)


@router.get("/beheer/{code}", response_class=HTMLResponse)
def results(request: Request, code: str, vergelijk: str = "", met: str = "") -> Response:
    """The campaign's results: spider web with table, priorities, comments, comparisons."""
    user, campaign = own_campaign(request, code)
    with factory(request)() as session:
        answers = answers_frame(session, [campaign.id])
        responses = responses_frame(session, [campaign.id])
        other = None
        if met:
            other_c = campaign_by_code(session, met)
            if other_c is not None and (user.role == "admin" or other_c.owner_id == user.id):
                other = (other_c.title, answers_frame(session, [other_c.id]))
    report = campaign_report(
        campaign.title,
        campaign.scale,
        answers,
        responses,
        compare_by=vergelijk or None,
        other=other,
    )
    settings = request.app.state.settings
    data = load_map_buurten(Path(settings.map_dir) if settings.map_dir else None)
    versus = None
    if data is not None and report.shown and campaign.areas:
        versus = perception_vs_data(report.summary, data, [c for c, _ in campaign.area_list()])
    url = f"{request.app.state.settings.public_url}/c/{campaign.code}"
    qr = segno.make(url, error="m").svg_inline(scale=4, title=f"QR-code {url}")
    return render(
        request,
        "results.html",
        user=user,
        campaign=campaign,
        report=report,
        url=url,
        qr=qr,
        compare_by=COMPARE_BY,
        vergelijk=vergelijk,
        met=met,
        versus=versus,
    )


def _export_frames(request: Request, campaign: Campaign):  # type: ignore[no-untyped-def]
    with factory(request)() as session:
        answers = answers_frame(session, [campaign.id])
        responses = responses_frame(session, [campaign.id])
    long = long_format(answers, responses, {campaign.id: campaign.code})
    return long, wide_format(long) if len(long) else long


@router.get("/beheer/{code}/export.csv")
def export_csv(request: Request, code: str, vorm: str = "lang") -> Response:
    """Answers as CSV: ``vorm=lang`` (one row per answer) or ``vorm=breed`` (one per form)."""
    _, campaign = own_campaign(request, code)
    long, wide = _export_frames(request, campaign)
    frame = wide if vorm == "breed" else long
    return Response(
        frame.to_csv(index=False),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": "attachment; "
            f'filename="leefplekmeter-{campaign.code}-{vorm}.csv"'
        },
    )


@router.get("/beheer/{code}/export.xlsx")
def export_xlsx(request: Request, code: str) -> Response:
    """Answers as xlsx with the sheets ``lang`` and ``breed``."""
    _, campaign = own_campaign(request, code)
    long, wide = _export_frames(request, campaign)
    return Response(
        to_xlsx({"lang": long, "breed": wide}),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="leefplekmeter-{campaign.code}.xlsx"'
        },
    )


@router.get("/beheer/{code}/papier.pdf")
def paper(request: Request, code: str) -> Response:
    """Printable A4 paper form with the campaign's QR code."""
    _, campaign = own_campaign(request, code)
    url = f"{request.app.state.settings.public_url}/c/{campaign.code}"
    pdf = paper_form_pdf(
        campaign.title,
        campaign.intro,
        campaign.code,
        url,
        campaign.variant,
        campaign.scale,
        "en" if campaign.language == "en" else "nl",
    )
    return Response(pdf, media_type="application/pdf")


@router.get("/beheer/{code}/spinnenweb.pdf")
def spider_sheet(request: Request, code: str) -> Response:
    """An empty spider-web sheet (A4) for group sessions."""
    _, campaign = own_campaign(request, code)
    return Response(spider_sheet_pdf(campaign.title), media_type="application/pdf")


@router.get("/beheer/{code}/invoer", response_class=HTMLResponse)
def paper_entry_page(request: Request, code: str) -> Response:
    """The form for a facilitator typing in a paper form."""
    user, campaign = own_campaign(request, code)
    ctx = survey_context(request, campaign, campaign.language, mode="paper")
    return render(
        request, "survey.html", user=user, action=f"/beheer/{campaign.code}/invoer", **ctx
    )


@router.post("/beheer/{code}/invoer", response_class=HTMLResponse)
async def paper_entry(request: Request, code: str) -> Response:
    """Store a typed-in paper form (mode ``paper``) and offer the next empty one."""
    user, campaign = own_campaign(request, code)
    form = dict(await request.form())
    _check_csrf(request, str(form.get("csrf", "")))
    try:
        receive(request, campaign, form, "paper")
    except InputDataErrors as exc:
        ctx = survey_context(
            request, campaign, campaign.language, mode="paper", errors=exc.errors, values=form
        )
        return render(
            request,
            "survey.html",
            status_code=422,
            user=user,
            action=f"/beheer/{campaign.code}/invoer",
            **ctx,
        )
    return RedirectResponse(f"/beheer/{campaign.code}/invoer?opgeslagen=1", status_code=303)


@router.post("/beheer/{code}/verwijder")
def remove(request: Request, code: str, bevestig: str = Form(""), csrf: str = Form("")) -> Response:
    """Delete a campaign with all its answers (type the code to confirm)."""
    _, campaign = own_campaign(request, code)
    _check_csrf(request, csrf)
    if bevestig.strip().upper() != campaign.code:
        raise HTTPException(
            status_code=422,
            detail="Typ de campagnecode om te bevestigen. / Type the campaign code to confirm.",
        )
    with transaction(factory(request)) as session:
        target = session.get(Campaign, campaign.id)
        if target is not None:
            delete_campaign(session, target)
    return RedirectResponse("/beheer", status_code=303)
