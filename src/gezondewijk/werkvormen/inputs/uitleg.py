"""``uitleg``: nothing to enter; the facilitator explains and the screen shows the guidance."""

from gezondewijk.werkvormen.inputs.base import InputKind, register

UITLEG = register(
    InputKind(
        key="uitleg",
        description="nothing to enter: the facilitator explains (the screen shows the guidance)",
        participants_add=False,
        lead_adds=False,
        shows_guidance=True,
    )
)
