"""JSON API (OpenAPI at /openapi.json, docs at /docs)."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.leefplekmeter.campaigns import campaign_state, today_nl
from gezondewijk.leefplekmeter.modes import PUBLIC_MODES
from gezondewijk.leefplekmeter.report import campaign_report
from gezondewijk.leefplekmeter.submission import SubmissionIn, check
from gezondewijk.leefplekmeter.themes import SCALES, themes
from gezondewijk.store.models import Campaign
from gezondewijk.store.repository import (
    answers_frame,
    responses_frame,
    store_if_allowed_async,
)
from gezondewijk.web.deps import SessionDep, campaign_or_404, current_user, factory, may_manage
from gezondewijk.web.state import state_of

router = APIRouter(prefix="/api", tags=["leefplekmeter"])


class ThemeOut(BaseModel):
    """A theme with its question in the campaign's variant."""

    key: str
    name: str
    question: str


class CampaignOut(BaseModel):
    """What a resident's app needs to show the form."""

    code: str
    title: str
    intro: str
    variant: str
    scale: str
    scale_low: int
    scale_high: int
    mode: str
    areas: list[str]
    themes: list[ThemeOut]
    accepting: bool
    form_token: str
    form_token_hours: int


class StoredOut(BaseModel):
    """Acknowledgement of a stored form."""

    id: int
    created: bool


class ErrorOut(BaseModel):
    """The one error shape."""

    error: dict[str, Any]


@router.get("/campaigns/{code}", response_model=CampaignOut, responses={404: {"model": ErrorOut}})
async def campaign_info(request: Request, code: str, lang: str = "nl") -> Any:
    """The campaign's form: themes and questions in its variant and scale."""
    campaign = await _campaign(request, code)
    language = "en" if lang == "en" else "nl"
    scale = SCALES[campaign.scale]
    return CampaignOut(
        code=campaign.code,
        title=campaign.title,
        intro=campaign.intro,
        variant=campaign.variant,
        scale=campaign.scale,
        scale_low=scale.low,
        scale_high=scale.high,
        mode=campaign.mode,
        areas=[c for c, _ in campaign.area_list()],
        themes=_themes_out(campaign.variant, language),
        accepting=_state(campaign).accepts,
        form_token=state_of(request).form_tokens.issue(campaign.code),
        form_token_hours=state_of(request).form_tokens.max_age_hours,
    )


async def _campaign(request: Request, code: str) -> Campaign:
    """The campaign (or a 404), for the residents' two requests that come by the hundred.

    Both endpoints are ``async``: with a recent copy in this process (the usual case) they
    run on the event loop without a thread hand-over, and the form is written by the
    database's writer thread (:class:`~gezondewijk.store.writes.GroupCommit`) while the loop
    goes on. Only reading the database happens in a worker thread.
    """
    campaign = state_of(request).campaigns.peek(code)
    if campaign is None:
        campaign = await run_in_threadpool(campaign_or_404, request, code, recent=True)
    return campaign


@cache
def _themes_out(variant: str, language: str) -> list[ThemeOut]:
    """The themes with their questions in one variant and language (the same for every form)."""
    return [
        ThemeOut(key=t.key, name=t.name[language], question=t.question(variant, language))
        for t in themes()
    ]


def _state(campaign: Campaign):  # type: ignore[no-untyped-def]
    return campaign_state(campaign.status, campaign.starts_on, campaign.ends_on, today_nl())


@router.post(
    "/campaigns/{code}/responses",
    response_model=StoredOut,
    status_code=201,
    responses={
        200: {"model": StoredOut},
        400: {"model": ErrorOut},
        403: {"model": ErrorOut},
        409: {"model": ErrorOut},
        413: {"model": ErrorOut},
        404: {"model": ErrorOut},
        422: {"model": ErrorOut},
        429: {"model": ErrorOut},
    },
)
async def submit_response(request: Request, code: str, submission: SubmissionIn) -> Any:
    """Store one filled-in form.

    ``form_token`` comes from ``GET /api/campaigns/{code}``: it is bound to this campaign and
    valid for ``form_token_hours``. Sending the same token again stores nothing new and answers
    200 with the first copy's id. Mode ``paper`` is for organisers (their paper-entry page).
    Outside the campaign's period, or when it is paused or closed, the answer is 403.
    """
    campaign = await _campaign(request, code)
    state = _state(campaign)
    if not state.accepts:
        raise HTTPException(
            status_code=403, detail=state.message["nl"] + " / " + state.message["en"]
        )
    client = request.client.host if request.client else "?"
    limiter = state_of(request).limiter
    try:
        problem = state_of(request).form_tokens.check(submission.form_token, campaign.code)
        if problem:
            raise InputDataError(
                problem,
                field="form_token",
                fix="haal een nieuw formulier op met GET /api/campaigns/{code}",
            )
        if submission.mode not in PUBLIC_MODES:
            raise InputDataErrors(
                [
                    InputDataError(
                        "mode 'paper' is for organisers typing in paper forms",
                        field="mode",
                        fix=f"use one of {', '.join(PUBLIC_MODES)}",
                    )
                ]
            )
        sub = check(submission, scale=campaign.scale, areas=[c for c, _ in campaign.area_list()])
    except InputDataError:
        # a refused form counts towards the limit too, and the limit is answered first
        if not await run_in_threadpool(limiter.allow, client):
            raise _too_many() from None
        raise
    # a valid form: its count and the form itself in one transaction, awaited on the loop
    stored = await store_if_allowed_async(factory(request), campaign, sub, limiter.counter(client))
    if stored is None:
        raise _too_many()
    body = {"id": stored.response_id, "created": stored.created}
    return JSONResponse(body, status_code=201 if stored.created else 200)


def _too_many() -> HTTPException:
    return HTTPException(
        status_code=429,
        detail="te veel formulieren; probeer het over een minuut opnieuw / too many requests",
        headers={"Retry-After": "60"},
    )


@router.get("/campaigns/{code}/results", responses={404: {"model": ErrorOut}})
def results(request: Request, session: SessionDep, code: str) -> Any:
    """Aggregated results (median, quartiles, n per theme; nothing below 5 respondents).

    Comments: only those an organiser approved, except for the campaign's own organisers
    (logged in), who get every comment.
    """
    campaign = campaign_or_404(request, code)
    answers = answers_frame(session, [campaign.id])
    responses = responses_frame(session, [campaign.id])
    public = not may_manage(request, current_user(request), campaign)
    report = campaign_report(campaign.title, campaign.scale, answers, responses, public=public)
    return report.as_dict()
