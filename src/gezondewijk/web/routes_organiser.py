"""Organisers' pages: log in, create campaigns, read results, export, paper forms, delete."""

from __future__ import annotations

from collections.abc import Callable

import segno
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.leefplekmeter.campaigns import (
    MODE_LABELS,
    STATUSES,
    VARIANT_LABELS,
    campaign_state,
    parse_campaign,
    resolve_areas,
    today_nl,
)
from gezondewijk.leefplekmeter.export import csv_text, long_format, to_xlsx, wide_format
from gezondewijk.leefplekmeter.moderation import pending_comments, personal_data_flags
from gezondewijk.leefplekmeter.modes import MODES
from gezondewijk.leefplekmeter.paper import empty_spider_svg, paper_form
from gezondewijk.leefplekmeter.report import COMPARE_BY, campaign_report
from gezondewijk.leefplekmeter.themes import SCALES, themes
from gezondewijk.store.db import transaction
from gezondewijk.store.models import Campaign, User
from gezondewijk.store.repository import (
    answers_frame,
    authenticate,
    campaign_by_code,
    campaigns_with_counts,
    comments_to_review,
    count_responses,
    create_campaign,
    delete_campaign,
    responses_frame,
    review_comment,
    set_status,
    update_campaign,
)
from gezondewijk.store.users import team_ids
from gezondewijk.web.deps import (
    CurrentOrganiser,
    OwnCampaign,
    SessionDep,
    check_csrf,
    factory,
    loaded_map,
    may_manage,
    pdf_response,
    receive,
    render,
    require_user,
    stored_campaign,
    survey_context,
)
from gezondewijk.web.routes_photos import results_photos
from gezondewijk.web.security import csrf_token
from gezondewijk.web.state import state_of

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    """Log-in form for organisers."""
    return render(request, "login.html", csrf_login=csrf_token(request.session))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    email: str = Form(...),
    password: str = Form(...),
    csrf: str = Form(""),
) -> Response:
    """Check the password and start an organiser session (throttled per account and client)."""
    check_csrf(request, csrf)
    throttle = state_of(request).login_throttle
    client = request.client.host if request.client else "?"
    wait = throttle.wait_s(email, client)
    if wait:
        return render(
            request,
            "login.html",
            status_code=429,
            headers={"Retry-After": str(wait)},
            csrf_login=csrf_token(request.session),
            error=f"Te veel mislukte pogingen. Probeer het over {(wait + 59) // 60} minuten "
            "opnieuw. / Too many failed attempts; try again later.",
        )
    user = authenticate(session, email, password)
    if user is None:
        throttle.failed(email, client)
        return render(
            request,
            "login.html",
            status_code=401,
            csrf_login=csrf_token(request.session),
            error="E-mailadres of wachtwoord klopt niet. / Wrong e-mail or password.",
        )
    throttle.succeeded(email)
    request.session.clear()
    request.session["user_id"] = user.id
    return RedirectResponse("/beheer", status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    """End the organiser session."""
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/beheer", response_class=HTMLResponse)
def campaigns(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    """The organiser's campaigns with their number of forms."""
    rows = campaigns_with_counts(session, None if user.role == "admin" else team_ids(session, user))
    return render(request, "campaigns.html", user=user, rows=rows, today=today_nl())


#: Buurten offered by name in the campaign form (a national run's 13,600 are too many).
MAX_PICKER_BUURTEN = 5000


def _buurt_lookup(request: Request) -> Callable[[str], tuple[str, str] | None]:
    """A name or code → ``(code, name)`` in the loaded map's run (nothing without a map)."""
    data = loaded_map(request)

    def lookup(term: str) -> tuple[str, str] | None:
        code = data.find_buurt(term) if data is not None else None
        if code is None:
            return None
        row = data.buurten[data.buurten["buurtcode"] == code]  # type: ignore[union-attr]
        return code, str(row["buurtnaam"].iloc[0])

    return lookup


def _picked_areas(request: Request, form: dict[str, str]) -> dict[str, str]:
    """The form with buurten picked or typed by name turned into codes and names.

    Left as typed when the organiser gave the names separately or a part is unknown (the
    form then says which part is not a buurt code).
    """
    if form.get("area_names", "").strip():
        # own names given: the codes as typed, ";" or "," between them
        return {**form, "areas": form.get("areas", "").replace(";", ",")}
    found = resolve_areas(form.get("areas", ""), _buurt_lookup(request))
    if found is None:
        return form
    return {**form, "areas": found[0], "area_names": found[1]}


def _form_page(
    request: Request,
    user: User,
    values: dict[str, str],
    errors: list[InputDataError] | None = None,
    campaign: Campaign | None = None,
) -> Response:
    data = loaded_map(request)
    options: list[tuple[str, str]] = []
    if data is not None and len(data.buurten) <= MAX_PICKER_BUURTEN:
        ordered = data.buurten.sort_values("buurtnaam")
        options = list(zip(ordered["buurtnaam"].astype(str), ordered["buurtcode"], strict=True))
    return render(
        request,
        "campaign_new.html",
        status_code=422 if errors else 200,
        user=user,
        variants=VARIANT_LABELS,
        scales=SCALES,
        modes=MODE_LABELS,
        errors=errors or [],
        values=values,
        campaign=campaign,
        buurt_options=options,
        example=options[0] if options else None,
    )


async def _posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.get("/beheer/nieuw", response_class=HTMLResponse)
def new_campaign_page(request: Request) -> Response:
    """Form to create a campaign."""
    return _form_page(request, require_user(request), {})


@router.post("/beheer/nieuw", response_class=HTMLResponse)
async def new_campaign(request: Request, user: CurrentOrganiser) -> Response:
    """Create a campaign and go to its page; on errors the form keeps what was typed."""
    form = await _posted(request)
    check_csrf(request, form.get("csrf"))
    try:
        data = parse_campaign(_picked_areas(request, form), today=today_nl())
    except InputDataErrors as exc:
        return _form_page(request, user, form, exc.errors)
    with transaction(factory(request)) as session:
        code = create_campaign(session, data, user.id).code
    return RedirectResponse(f"/beheer/{code}", status_code=303)


def _values(campaign: Campaign) -> dict[str, str]:
    return {
        "title": campaign.title,
        "intro": campaign.intro,
        "variant": campaign.variant,
        "scale": campaign.scale,
        "language": campaign.language,
        "mode": campaign.mode,
        "areas": "; ".join(campaign.area_codes()),
        "area_names": "; ".join(a.name for a in campaign.areas if a.name),
        "starts_on": campaign.starts_on.isoformat() if campaign.starts_on else "",
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else "",
    }


@router.get("/beheer/{code}/bewerk", response_class=HTMLResponse)
def edit_campaign_page(request: Request, owned: OwnCampaign, code: str) -> Response:
    """Form to change a campaign's settings."""
    user, campaign = owned
    return _form_page(request, user, _values(campaign), campaign=campaign)


@router.post("/beheer/{code}/bewerk", response_class=HTMLResponse)
async def edit_campaign(request: Request, owned: OwnCampaign, code: str) -> Response:
    """Save a campaign's new settings (its code and answers stay)."""
    user, campaign = owned
    form = await _posted(request)
    check_csrf(request, form.get("csrf"))
    try:
        data = parse_campaign(_picked_areas(request, form))
    except InputDataErrors as exc:
        return _form_page(request, user, form, exc.errors, campaign=campaign)
    with stored_campaign(request, campaign) as (session, target):
        update_campaign(session, target, data)
    return RedirectResponse(f"/beheer/{campaign.code}?saved=1", status_code=303)


@router.post("/beheer/{code}/status")
def change_status(
    request: Request, owned: OwnCampaign, code: str, status: str = Form(""), csrf: str = Form("")
) -> Response:
    """Open, pause or close the campaign."""
    campaign = owned[1]
    check_csrf(request, csrf)
    if status not in STATUSES:
        raise HTTPException(status_code=422, detail="Kies open, pauzeren of sluiten.")
    with stored_campaign(request, campaign) as (session, target):
        set_status(session, target, status)
    return RedirectResponse(f"/beheer/{campaign.code}", status_code=303)


@router.get("/beheer/{code}", response_class=HTMLResponse)
def results(
    request: Request,
    session: SessionDep,
    owned: OwnCampaign,
    code: str,
    compare_by: str = "",
    other: str = "",
    saved: str = "",
) -> Response:
    """The campaign's results: spider web with table, priorities, comments, comparisons."""
    user, campaign = owned
    answers = answers_frame(session, [campaign.id])
    responses = responses_frame(session, [campaign.id])
    other_answers = None
    if other:
        other_c = campaign_by_code(session, other)
        if other_c is not None and may_manage(request, user, other_c):
            other_answers = (other_c.title, answers_frame(session, [other_c.id]))
    report = campaign_report(
        campaign.title,
        campaign.scale,
        answers,
        responses,
        compare_by=compare_by or None,
        other=other_answers,
        public=False,
        group_labels=dict(campaign.area_list()),
    )
    data = loaded_map(request)
    versus = []
    if data is not None and report.shown and campaign.areas:
        versus = data.perception(report.summary, [c for c, _ in campaign.area_list()])
    url = f"{state_of(request).settings.public_url}/c/{campaign.code}"
    qr = segno.make(url, error="m").svg_inline(scale=4, title=f"QR-code {url}")
    state = campaign_state(campaign.status, campaign.starts_on, campaign.ends_on, today_nl())
    return render(
        request,
        "results.html",
        user=user,
        campaign=campaign,
        state=state,
        report=report,
        url=url,
        qr=qr,
        compare_by=COMPARE_BY,
        compare_by_chosen=compare_by,
        other=other,
        versus=versus,
        saved=bool(saved),
        **results_photos(request, campaign),
        pending=pending_comments(answers),
    )


@router.get("/beheer/{code}/opmerkingen", response_class=HTMLResponse)
def moderation_page(
    request: Request, session: SessionDep, owned: OwnCampaign, code: str
) -> Response:
    """Every comment with its review state and personal-data flags, to approve or reject."""
    user, campaign = owned
    items = [
        {
            "id": answer.id,
            "kind": kind,
            "theme": answer.theme,
            "text": getattr(answer, kind),
            "review": getattr(answer, f"{kind}_review"),
            "flags": personal_data_flags(getattr(answer, kind)),
        }
        for answer, kind in comments_to_review(session, campaign.id)
    ]
    names = {t.key: t.name["nl"] for t in themes()}
    return render(
        request, "moderation.html", user=user, campaign=campaign, items=items, names=names
    )


@router.post("/beheer/{code}/opmerkingen")
def moderate(
    request: Request,
    owned: OwnCampaign,
    code: str,
    answer_id: int = Form(...),
    kind: str = Form(...),
    decision: str = Form(...),
    csrf: str = Form(""),
) -> Response:
    """Approve or reject one comment."""
    campaign = owned[1]
    check_csrf(request, csrf)
    with transaction(factory(request)) as session:
        if not review_comment(session, campaign.id, answer_id, kind, decision):
            raise HTTPException(status_code=404, detail="Deze opmerking bestaat niet.")
    return RedirectResponse(
        f"/beheer/{campaign.code}/opmerkingen#c{answer_id}-{kind}", status_code=303
    )


def _export_frames(request: Request, campaign: Campaign):  # type: ignore[no-untyped-def]
    with factory(request)() as session:
        answers = answers_frame(session, [campaign.id])
        responses = responses_frame(session, [campaign.id])
    long = long_format(answers, responses, {campaign.id: campaign.code})
    return long, wide_format(long) if len(long) else long


@router.get("/beheer/{code}/export.csv")
def export_csv(request: Request, owned: OwnCampaign, code: str, layout: str = "long") -> Response:
    """Answers as CSV: ``layout=long`` (one row per answer) or ``layout=wide`` (one per form)."""
    campaign = owned[1]
    long, wide = _export_frames(request, campaign)
    frame = wide if layout == "wide" else long
    vorm = "breed" if layout == "wide" else "lang"
    return Response(
        csv_text(frame),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": "attachment; "
            f'filename="leefplekmeter-{campaign.code}-{vorm}.csv"'
        },
    )


@router.get("/beheer/{code}/export.xlsx")
def export_xlsx(request: Request, owned: OwnCampaign, code: str) -> Response:
    """Answers as xlsx with the sheets ``lang`` and ``breed``."""
    campaign = owned[1]
    long, wide = _export_frames(request, campaign)
    return Response(
        to_xlsx({"lang": long, "breed": wide}),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="leefplekmeter-{campaign.code}.xlsx"'
        },
    )


@router.get("/beheer/{code}/papier.pdf")
def paper(request: Request, owned: OwnCampaign, code: str) -> Response:
    """Printable A4 paper form with the campaign's QR code, buurten and about-you questions."""
    campaign = owned[1]
    url = f"{state_of(request).settings.public_url}/c/{campaign.code}"
    form = paper_form(
        campaign.title,
        campaign.intro,
        campaign.code,
        url,
        campaign.variant,
        campaign.scale,
        "en" if campaign.language == "en" else "nl",
        areas=campaign.area_list(),
        group=MODES[campaign.mode].agreed_scores,
    )
    return pdf_response(request, "paper_form.html", form=form)


@router.get("/beheer/{code}/spinnenweb.pdf")
def spider_sheet(request: Request, owned: OwnCampaign, code: str) -> Response:
    """An empty spider-web sheet (A4) for group sessions."""
    campaign = owned[1]
    svg = empty_spider_svg(f"Spinnenweb: {campaign.title}")
    return pdf_response(request, "spider_sheet.html", title=campaign.title, svg=svg)


@router.get("/beheer/{code}/invoer", response_class=HTMLResponse)
def paper_entry_page(
    request: Request, session: SessionDep, owned: OwnCampaign, code: str, saved: int = 0
) -> Response:
    """The form for a facilitator typing in a paper form (with the count just saved)."""
    user, campaign = owned
    ctx = survey_context(request, campaign, campaign.language, mode="paper")
    total = count_responses(session, campaign.id)
    return render(
        request,
        "survey.html",
        user=user,
        action=f"/beheer/{campaign.code}/invoer",
        saved=saved,
        total=total,
        **ctx,
    )


@router.post("/beheer/{code}/invoer", response_class=HTMLResponse)
async def paper_entry(request: Request, owned: OwnCampaign, code: str) -> Response:
    """Store a typed-in paper form (mode ``paper``) and offer the next empty one."""
    user, campaign = owned
    form = await _posted(request)
    check_csrf(request, form.get("csrf"))
    try:
        response_id = receive(request, campaign, form, "paper", lang=campaign.language)
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
    return RedirectResponse(f"/beheer/{campaign.code}/invoer?saved={response_id}", status_code=303)


@router.post("/beheer/{code}/verwijder")
def remove(
    request: Request, owned: OwnCampaign, code: str, bevestig: str = Form(""), csrf: str = Form("")
) -> Response:
    """Delete a campaign with all its answers (type the code to confirm)."""
    campaign = owned[1]
    check_csrf(request, csrf)
    if bevestig.strip().upper() != campaign.code:
        raise HTTPException(
            status_code=422,
            detail="Typ de campagnecode om te bevestigen. / Type the campaign code to confirm.",
        )
    with stored_campaign(request, campaign) as (session, target):
        delete_campaign(session, target)
    return RedirectResponse("/beheer", status_code=303)
