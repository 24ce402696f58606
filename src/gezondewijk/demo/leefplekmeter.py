"""A demo campaign with generated answers (labelled as such), for ``make demo``."""

from __future__ import annotations

import secrets

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from gezondewijk.leefplekmeter.submission import SubmissionIn
from gezondewijk.leefplekmeter.themes import theme_keys
from gezondewijk.store.models import Campaign, CampaignArea, User, Workshop
from gezondewijk.store.repository import create_user, new_code, store_submission

GOOD = ["Veel groen dichtbij", "Aardige buren", "De markt op zaterdag", "Goede fietspaden"]
BETTER = [
    "Meer bankjes in de schaduw",
    "Minder hard rijden in de straat",
    "Speelplek opknappen",
    "Vaker vegen rond de winkels",
    "Betere verlichting op het pad naar de halte",
]


#: The demo organiser account, published in the README: never valid in production.
DEMO_EMAIL = "demo@gezondewijk.nl"
DEMO_PASSWORD = "demo-wachtwoord"


def make_demo_campaign(
    factory: sessionmaker[Session],
    *,
    areas: list[tuple[str, str]],
    n: int = 60,
    seed: int = 3,
    owner_email: str = DEMO_EMAIL,
    owner_password: str = DEMO_PASSWORD,
) -> Campaign:
    """Create an organiser account and a campaign holding ``n`` generated forms."""
    rng = np.random.default_rng(seed)
    with factory() as session, session.begin():
        owner = session.query(User).filter_by(email=owner_email).one_or_none()
        if owner is None:
            owner = create_user(session, owner_email, "Demo-organisator", owner_password)
        campaign = Campaign(
            code=new_code(session),
            title="Leefplekmeter Gezondweide (demo, gegenereerde antwoorden)",
            intro="Demo met gegenereerde antwoorden: geen echte bewoners.",
            variant="standard",
            scale="cijfer10",
            mode="individual",
            owner_id=owner.id,
            areas=[
                CampaignArea(position=i, code=code, name=name)
                for i, (code, name) in enumerate(areas)
            ],
        )
        session.add(campaign)
        session.flush()
        session.expunge(campaign)
    base = rng.uniform(5.5, 7.5, len(theme_keys()))
    for _ in range(n):
        buurt = areas[int(rng.integers(len(areas)))][0] if areas else ""
        shift = -1.2 if buurt and buurt[-1] in "0123" else 0.3
        answers = []
        for k, key in enumerate(theme_keys()):
            if rng.random() < 0.06:
                answers.append({"theme": key, "dont_know": True})
                continue
            score = int(np.clip(round(rng.normal(base[k] + shift, 1.4)), 1, 10))
            answers.append(
                {
                    "theme": key,
                    "score": score,
                    "good": str(rng.choice(GOOD)) if rng.random() < 0.08 else "",
                    "better": str(rng.choice(BETTER)) if rng.random() < 0.12 else "",
                }
            )
        sub = SubmissionIn.model_validate(
            {
                "form_token": secrets.token_hex(12),
                "buurtcode": buurt,
                "respondent_type": "professional" if rng.random() < 0.2 else "bewoner",
                "age_band": str(rng.choice(["18-34", "35-54", "55-74", "75+"])),
                "answers": answers,
            }
        )
        store_submission(factory, campaign, sub)
    return campaign


def make_demo_workshop(factory: sessionmaker[Session]) -> Workshop:
    """A demo werksessie with the six work forms, led by the demo account, to try at once.

    Made next to the demo campaign by ``gezondewijk serve --demo`` (``make demo``): a newcomer
    opens ``/sessie/<code>`` on a phone and the facilitator's page from ``/beheer/sessies``.
    """
    from gezondewijk.store.workshops import create_workshop
    from gezondewijk.werkvormen.catalogue import work_forms
    from gezondewijk.werkvormen.session import WorkshopIn

    with factory() as session, session.begin():
        owner = session.query(User).filter_by(email=DEMO_EMAIL).one_or_none()
        if owner is None:
            owner = create_user(session, DEMO_EMAIL, "Demo-organisator", DEMO_PASSWORD)
        data = WorkshopIn(
            title="Werksessie Gezondweide (demo)",
            series="Demo",
            forms=tuple(work_forms()),
            groups=2,
        )
        workshop = create_workshop(session, data, owner.id)
        session.flush()
        session.expunge(workshop)
    return workshop
