r"""Road-traffic noise → share highly annoyed and highly sleep-disturbed (WHO 2018).

The WHO Environmental Noise Guidelines for the European Region (2018) set their road-traffic
guideline values from these exposure–response functions: 53 dB :math:`L_{den}` where 10 % are
highly annoyed, 45 dB :math:`L_{night}` where 3 % are highly sleep-disturbed.

- Annoyance (Guski, Schreckenberg & Schuemer 2017, Int J Environ Res Public Health
  14:1539; WHO 2018 §3.1): :math:`\%HA = 78.9270 - 3.1162\,L_{den} + 0.0342\,L_{den}^2`.
- Sleep (Basner & McGuire 2018, Int J Environ Res Public Health 15:519; WHO 2018 §3.1):
  :math:`\%HSD = 19.4312 - 0.9336\,L_{night} + 0.0126\,L_{night}^2`, questions that name
  noise as the cause.

Checked against the publications: the curves give back the guideline values' own rationale,
9.8 % highly annoyed at 53 dB :math:`L_{den}` and 2.9 % highly sleep-disturbed at 45 dB
:math:`L_{night}` (``tests/test_effects.py``); Basner & McGuire's abstract gives the road
odds ratio 2.13 (1.82–2.48) per 10 dB where the question names noise (1.09, 0.94–1.27, where it
does not). Guski et al. give the annoyance curve as a central estimate: no interval is carried
for it, and the output says so. The 2022 update of the sleep review (Smith et al., Environ
Health Perspect 130:076001) found a steeper road curve (OR 2.52, 2.28–2.79); the WHO 2018
functions are kept, as the guideline values rest on them.

The quadratics are fitted to 40–75 dB (annoyance) and 40–65 dB (sleep). Below the curve's
lowest point (45.6 dB for annoyance) or below 40 dB (sleep) the share is held at that
value: a quieter street below it is not counted as more annoyance, nor as less.
"""

from __future__ import annotations

import numpy as np

#: Lden minus Lnight for road traffic where no night map is given (dB). Road traffic is
#: quieter at night; conversions in the literature (Brink et al. 2018, Int J Hyg Environ
#: Health 221:54) put the difference at several dB. 8 dB is an assumption the scenario's
#: health settings can change.
LNIGHT_FROM_LDEN_DB = 8.0

_HA = (78.9270, -3.1162, 0.0342)
_HSD = (19.4312, -0.9336, 0.0126)
#: Lowest point of the annoyance curve (dB): -b / 2c.
HA_FLOOR_DB = -_HA[1] / (2 * _HA[2])
#: Lower end of the sleep studies' range (dB).
HSD_FLOOR_DB = 40.0
#: Basner & McGuire (2018): road traffic, noise named in the question, odds ratio of
#: being highly sleep-disturbed per 10 dB Lnight 2.13 (95 % CI 1.82–2.48).
HSD_ODDS_RATIO = (2.13, 1.82, 2.48)

ANNOYANCE_SOURCE = (
    "WHO Environmental Noise Guidelines 2018 (Guski e.a. 2017): %HA = 78,9270 − 3,1162·Lden "
    "+ 0,0342·Lden²"
)
SLEEP_SOURCE = (
    "WHO Environmental Noise Guidelines 2018 (Basner & McGuire 2018): %HSD = 19,4312 − "
    "0,9336·Lnight + 0,0126·Lnight²; interval uit OR 2,13 (1,82–2,48) per 10 dB"
)


def _quadratic(level: np.ndarray, coef: tuple[float, float, float], floor: float) -> np.ndarray:
    x = np.maximum(np.asarray(level, dtype="float64"), floor)
    return coef[0] + coef[1] * x + coef[2] * x * x


def highly_annoyed_pct(lden: np.ndarray | float) -> np.ndarray:
    """Percentage highly annoyed by road-traffic noise at ``lden`` (dB), WHO 2018 curve."""
    return _quadratic(np.asarray(lden), _HA, HA_FLOOR_DB)


def highly_sleep_disturbed_pct(lnight: np.ndarray | float) -> np.ndarray:
    """Percentage highly sleep-disturbed by road-traffic noise at ``lnight`` (dB), WHO 2018."""
    return _quadratic(np.asarray(lnight), _HSD, HSD_FLOOR_DB)


def sleep_disturbed_interval(
    before: np.ndarray, after: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Change in %HSD from ``before`` to ``after`` (Lnight, dB): central, low and high.

    Notes
    -----
    The central change is the difference of the WHO curve. The quadratic is published without
    a confidence band, so the interval scales the change by the published odds ratio's
    bounds: on the logistic scale a change of :math:`\Delta L` moves the log-odds by
    :math:`\ln(OR)\,\Delta L/10`, so the change is proportional to :math:`\ln OR` to first
    order, and the bounds are :math:`\Delta\%HSD \cdot \ln OR_{lo|hi} / \ln OR`.
    """
    central = highly_sleep_disturbed_pct(after) - highly_sleep_disturbed_pct(before)
    ratio = np.log(np.array(HSD_ODDS_RATIO)) / np.log(HSD_ODDS_RATIO[0])
    a, b = central * ratio[1], central * ratio[2]
    return central, np.minimum(a, b), np.maximum(a, b)
