"""Inequality measures across a run's buurten, as the ``[inequality]`` section asks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gezondewijk._errors import InputDataError
from gezondewijk.equity import inequality_summary
from gezondewijk.equity.slope_simulation import published_limits, value_type_of
from gezondewijk.settings import InequalityConfig
from gezondewijk.variables import describe


def buurt_inequality(
    buurten: pd.DataFrame, cfg: InequalityConfig, notes: list[str] | None = None
) -> pd.DataFrame:
    """Inequality measures across the run's buurten, population-weighted, per variable.

    Parameters
    ----------
    buurten
        The run's buurten with the SES variable, the variables and (ideally) ``population``.
    notes
        Where a variable the run does not have is reported; the others are measured.
    cfg
        Which variables, which SES ranking, which interval method and how many draws. The
        SII/RII interval is PHE's simulation where the buurten carry RIVM's published margins
        (``<var>_ondergrens``/``_bovengrens``) and ``interval`` is ``auto`` or
        ``simulation``; otherwise a bootstrap over buurten. The ``interval`` column says
        which.

    Returns
    -------
    pandas.DataFrame
        :func:`gezondewijk.equity.inequality_summary` per variable, with ``variabele`` and
        ``ses`` in front.

    Raises
    ------
    InputDataError
        When the SES variable or every one of the variables is not in the data.
    """
    missing = [v for v in [cfg.ses, *cfg.variables] if v not in buurten]
    present = [v for v in cfg.variables if v in buurten]
    if cfg.ses in missing or not present:
        raise InputDataError(
            f"variabelen voor de ongelijkheidsmaten ontbreken: {', '.join(missing)}.",
            field="inequality",
            fix="kies variabelen die in de tabellen van deze run staan.",
        )
    if missing and notes is not None:
        notes.append(
            f"ongelijkheid: {', '.join(missing)} niet in de gegevens van deze run; "
            f"gemeten voor {', '.join(present)}."
        )
    advantaged = cfg.ses_higher_is_advantaged
    if advantaged is None:
        advantaged = describe(cfg.ses).direction == "higher_is_better"
    weights = (
        buurten["population"].to_numpy(dtype="float64")
        if "population" in buurten
        else np.ones(len(buurten))
    )
    parts = []
    for var in present:
        lower, upper = published_limits(buurten, var)
        table = inequality_summary(
            buurten[var].to_numpy(dtype="float64"),
            buurten[cfg.ses].to_numpy(dtype="float64"),
            weights,
            higher_is_advantaged=advantaged,
            n_boot=cfg.bootstrap,
            lower=lower,
            upper=upper,
            interval=cfg.interval,
            value_type=value_type_of(var),
            transform=cfg.transform,
            draws=cfg.simulation_draws,
        )
        table.insert(0, "variabele", var)
        table.insert(1, "ses", cfg.ses)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)
