"""JSON API (OpenAPI at /openapi.json, docs at /docs)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from gezondewijk.leefplekmeter.report import campaign_report
from gezondewijk.leefplekmeter.submission import SubmissionIn, check
from gezondewijk.leefplekmeter.themes import SCALES, themes
from gezondewijk.store.repository import answers_frame, responses_frame, store_submission
from gezondewijk.web.deps import campaign_or_404, factory

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


class StoredOut(BaseModel):
    """Acknowledgement of a stored form."""

    id: int
    created: bool


class ErrorOut(BaseModel):
    """The one error shape."""

    error: dict[str, Any]


@router.get("/campaigns/{code}", response_model=CampaignOut, responses={404: {"model": ErrorOut}})
def campaign_info(request: Request, code: str, lang: str = "nl") -> Any:
    """The campaign's form: themes and questions in its variant and scale."""
    campaign = campaign_or_404(request, code)
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
        themes=[
            ThemeOut(
                key=t.key, name=t.name[language], question=t.question(campaign.variant, language)
            )
            for t in themes()
        ],
    )


@router.post(
    "/campaigns/{code}/responses",
    response_model=StoredOut,
    status_code=201,
    responses={
        200: {"model": StoredOut},
        400: {"model": ErrorOut},
        413: {"model": ErrorOut},
        404: {"model": ErrorOut},
        422: {"model": ErrorOut},
        429: {"model": ErrorOut},
    },
)
def submit_response(request: Request, code: str, submission: SubmissionIn) -> Any:
    """Store one filled-in form.

    Sending the same ``form_token`` again stores nothing new and answers 200 with the first
    copy's id.
    """
    campaign = campaign_or_404(request, code)
    client = request.client.host if request.client else "?"
    if not request.app.state.limiter.allow(client):
        return JSONResponse(
            {"error": {"message": "too many requests", "problems": []}},
            status_code=429,
            headers={"Retry-After": "60"},
        )
    sub = check(submission, scale=campaign.scale, areas=[c for c, _ in campaign.area_list()])
    stored = store_submission(factory(request), campaign, sub)
    body = {"id": stored.response_id, "created": stored.created}
    return JSONResponse(body, status_code=201 if stored.created else 200)


@router.get("/campaigns/{code}/results", responses={404: {"model": ErrorOut}})
def results(request: Request, code: str) -> Any:
    """Aggregated results (median, quartiles, n per theme; nothing below 5 respondents)."""
    campaign = campaign_or_404(request, code)
    with factory(request)() as session:
        answers = answers_frame(session, [campaign.id])
        responses = responses_frame(session, [campaign.id])
    report = campaign_report(campaign.title, campaign.scale, answers, responses)
    return report.as_dict()
