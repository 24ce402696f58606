"""``dia``: a slide with the loaded run's figures on health inequalities; nothing to enter."""

from gezondewijk.werkvormen.inputs.base import InputKind, register

DIA = register(
    InputKind(
        key="dia",
        description="a slide: the figures of the run on health inequalities",
        participants_add=False,
        lead_adds=False,
        shows_run_figures=True,
    )
)
