"""From a posted paper-or-web form to a checked submission, with messages residents understand.

The web form posts flat fields (``score_<theme>``, ``goed_<theme>``, ``beter_<theme>``, …);
:func:`submission_from_form` turns them into the structure of
:class:`~gezondewijk.leefplekmeter.submission.SubmissionIn`, and :func:`accept` checks it. The
problems it raises name the form field (``score_wonen``) and say in plain Dutch (or English)
what to do; no internal names such as ``answers.3.score`` reach a resident.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gezondewijk._errors import InputDataError, InputDataErrors
from gezondewijk.leefplekmeter.modes import PUBLIC_MODES
from gezondewijk.leefplekmeter.submission import validate
from gezondewijk.leefplekmeter.themes import SCALES, themes


def submission_from_form(form: Mapping[str, Any], mode: str) -> dict[str, Any]:
    """Turn posted form fields into the submission structure the validator expects."""
    answers = []
    for theme in themes():
        raw = str(form.get(f"score_{theme.key}", "")).strip()
        good = str(form.get(f"goed_{theme.key}", ""))
        better = str(form.get(f"beter_{theme.key}", ""))
        if raw == "" and not good.strip() and not better.strip():
            continue
        answer: dict[str, Any] = {"theme": theme.key, "good": good, "better": better}
        if raw == "weet" or not raw:
            answer["dont_know"] = True
        else:
            try:
                answer["score"] = int(raw)
            except ValueError:
                answer["score"] = raw  # the validator names the field
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


_FIELD_NAMES = {
    "buurtcode": {"nl": "Uw buurt", "en": "Your area"},
    "age_band": {"nl": "Leeftijd", "en": "Age"},
    "gender": {"nl": "Gender", "en": "Gender"},
    "respondent_type": {"nl": "Ik vul dit in als", "en": "I answer as"},
    "group_size": {"nl": "Aantal deelnemers", "en": "Number of participants"},
    "form_token": {"nl": "Formulier", "en": "Form"},
    "answers": {"nl": "Antwoorden", "en": "Answers"},
    "mode": {"nl": "Werkwijze", "en": "Mode"},
}


def _plain(error: InputDataError, data: dict[str, Any], scale: str, lang: str) -> InputDataError:
    """The same problem with the form field's name and a message for residents."""
    nl = lang != "en"
    sc = SCALES[scale]
    parts = (error.field or "").split(".")
    if parts[0] == "answers" and len(parts) >= 2 and parts[1].isdigit():
        index = int(parts[1])
        answers = data.get("answers", [])
        key = str(answers[index].get("theme", "")) if index < len(answers) else ""
        theme = next((t for t in themes() if t.key == key), None)
        name = theme.name["nl" if nl else "en"] if theme else ""
        part = parts[2] if len(parts) > 2 else "score"
        if part in ("good", "better"):
            field = f"{'goed' if part == 'good' else 'beter'}_{key}"
            problem = (
                f"{name}: de toelichting is te lang" if nl else f"{name}: the comment is too long"
            )
            fix = "hooguit 2000 tekens" if nl else "at most 2000 characters"
        else:
            field = f"score_{key}"
            problem = (
                f"{name}: kies een cijfer van {sc.low} tot {sc.high}"
                if nl
                else f"{name}: choose a score from {sc.low} to {sc.high}"
            )
            fix = "of kies 'weet ik niet'" if nl else "or choose 'don't know'"
        return InputDataError(problem, field=field, fix=fix)
    names = _FIELD_NAMES.get(parts[0], {"nl": parts[0], "en": parts[0]})
    label = names["nl" if nl else "en"]
    problem = (
        f"{label}: kies een van de mogelijkheden uit de lijst"
        if nl
        else f"{label}: choose one of the options"
    )
    return InputDataError(
        problem, field=parts[0], fix=error.fix if parts[0] == "form_token" else ""
    )


def accept(
    data: dict[str, Any],
    *,
    scale: str,
    areas: list[str],
    token_problem: str,
    lang: str = "nl",
    public: bool = True,
) -> Any:
    """Check a submission built by :func:`submission_from_form` (or sent to the API).

    Parameters
    ----------
    data
        The submission.
    scale, areas
        The campaign's scale and buurt codes.
    token_problem
        Why the form token is not valid for this campaign (``""`` when it is).
    lang
        Language of the messages.
    public
        ``True`` for residents: mode ``paper`` is refused (organisers only).

    Returns
    -------
    SubmissionIn
        The checked submission.

    Raises
    ------
    InputDataErrors
        Every problem, naming the form field, in plain language; nothing is stored.
    """
    nl = lang != "en"
    if token_problem:
        raise InputDataErrors(
            [
                InputDataError(
                    token_problem,
                    field="form_token",
                    fix="laad de pagina opnieuw en vul het formulier in"
                    if nl
                    else "reload the page and fill in the form",
                )
            ]
        )
    if public and data.get("mode") not in PUBLIC_MODES:
        raise InputDataErrors(
            [
                InputDataError(
                    "papieren formulieren worden ingevoerd door een ingelogde organisator / "
                    "paper forms are entered by a logged-in organiser",
                    field="mode",
                    fix=f"gebruik een van {', '.join(PUBLIC_MODES)}",
                )
            ]
        )
    if not data.get("answers"):
        raise InputDataErrors(
            [
                InputDataError(
                    "u heeft nog geen enkel thema beantwoord"
                    if nl
                    else "you have not answered any theme yet",
                    field="answers",
                    fix="geef bij minstens één thema een cijfer of kies 'weet ik niet'"
                    if nl
                    else "give at least one theme a score or choose 'don't know'",
                )
            ]
        )
    try:
        return validate(data, scale=scale, areas=areas)
    except InputDataErrors as exc:
        raise InputDataErrors([_plain(e, data, scale, lang) for e in exc.errors]) from exc
