"""How a Leefplekmeter campaign collects forms: each mode once, with what it means.

The keys are :data:`Mode` (what forms store and the API accepts); everything a page or a
check needs to know about a mode is an attribute of its :class:`CampaignMode`, so that no
list of modes is written anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

#: The modes, in the order the organiser's form offers them.
Mode = Literal["individual", "group", "walk", "kiosk", "paper"]


@dataclass(frozen=True)
class CampaignMode:
    """One way of collecting forms.

    Attributes
    ----------
    key
        The stored value.
    label
        The Dutch label organisers and exports see.
    public
        Residents fill in the form themselves (``paper`` is typed in by an organiser).
    counts_people
        One form speaks for several people: the form asks how many (``group_size``).
    shared_device
        Several people use one device in turn (the form clears itself; no language switch).
    agreed_scores
        A group fills in one form together: one score per theme that the group agreed on.
    """

    key: Mode
    label: str
    public: bool = True
    counts_people: bool = False
    shared_device: bool = False
    agreed_scores: bool = False

    @property
    def reads_aloud(self) -> bool:
        """Whether the form offers to read itself aloud (to residents, not to organisers)."""
        return self.public


MODES: dict[str, CampaignMode] = {
    m.key: m
    for m in (
        CampaignMode("individual", "individueel"),
        CampaignMode(
            "group", "groep (één cijfer per groep)", counts_people=True, agreed_scores=True
        ),
        CampaignMode("walk", "wandeling"),
        CampaignMode("kiosk", "marktkraam / kiosk (gedeeld apparaat)", shared_device=True),
        CampaignMode("paper", "papier (invoer door begeleider)", public=False, counts_people=True),
    )
}
if tuple(MODES) != get_args(Mode):  # pragma: no cover - a guard for whoever adds a mode
    raise RuntimeError(f"MODES {tuple(MODES)} and Mode {get_args(Mode)} must list the same")

#: Modes the public may use.
PUBLIC_MODES: tuple[str, ...] = tuple(k for k, m in MODES.items() if m.public)
#: Dutch labels of the modes.
MODE_LABELS: dict[str, str] = {k: m.label for k, m in MODES.items()}


def resident_mode(mode: str) -> str:
    """The mode a resident's own form is stored with: a non-public campaign's is individual."""
    known = MODES.get(mode)
    return mode if known is not None and known.public else "individual"
