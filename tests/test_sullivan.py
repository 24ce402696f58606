"""Sullivan health expectancy: Jagger et al. (EHLEIS 2014) Example 3 reproduced to the digit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gezondewijk import InputDataError
from gezondewijk.equity import life_table, sullivan

# Table 3.1 (Belgian females 2004): age, mid-year population, deaths, disability prevalence
AGE = [0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85]
POP = [
    54795.5,
    222258.5,
    290541.0,
    310760.0,
    297484.5,
    315530.0,
    319059.5,
    357971.0,
    393382.5,
    403856.5,
    377145.0,
    357821.0,
    311235.5,
    248213.5,
    261119.0,
    262491.0,
    242973.0,
    159424.0,
    125152.0,
]
DEATHS = [
    202,
    52,
    36,
    38,
    79,
    104,
    121,
    164,
    313,
    499,
    764,
    1264,
    1323,
    1610,
    2600,
    4390,
    8743,
    7488,
    23298,
]
PREV = [
    0.000,
    0.048,
    0.030,
    0.072,
    0.098,
    0.087,
    0.096,
    0.089,
    0.142,
    0.122,
    0.195,
    0.161,
    0.298,
    0.234,
    0.257,
    0.345,
    0.431,
    0.431,
    0.513,
]
# Table 7.1 column [15]: survey respondents per age group
SURVEY_N = [
    52,
    230,
    257,
    275,
    281,
    342,
    402,
    426,
    437,
    446,
    438,
    424,
    407,
    310,
    398,
    413,
    310,
    300,
    647,
]
# Published columns (Tables 3.2, 3.3 and 7.1)
E = [
    81.4,
    80.7,
    76.7,
    71.8,
    66.8,
    61.9,
    57.0,
    52.1,
    47.2,
    42.4,
    37.7,
    33.0,
    28.6,
    24.1,
    19.8,
    15.7,
    11.9,
    8.7,
    5.4,
]
DFLE = [
    66.5,
    65.8,
    62.0,
    57.2,
    52.6,
    48.2,
    43.7,
    39.2,
    34.8,
    30.6,
    26.4,
    22.6,
    18.8,
    15.6,
    12.3,
    9.1,
    6.5,
    4.6,
    2.6,
]
PCT = [
    81.8,
    81.5,
    80.8,
    79.7,
    78.7,
    77.8,
    76.6,
    75.3,
    73.6,
    72.2,
    70.1,
    68.5,
    65.8,
    64.9,
    61.9,
    57.8,
    54.5,
    52.9,
    48.7,
]
SE = [
    0.355,
    0.356,
    0.352,
    0.348,
    0.340,
    0.329,
    0.320,
    0.312,
    0.305,
    0.295,
    0.286,
    0.273,
    0.263,
    0.243,
    0.219,
    0.201,
    0.181,
    0.153,
    0.106,
]
T = [
    8137192.9,
    8037481.4,
    7639110.3,
    7141533.6,
    6644263.0,
    6147474.3,
    5651424.1,
    5156252.2,
    4662115.6,
    4169524.9,
    3679427.9,
    3193306.7,
    2713881.4,
    2243686.7,
    1785911.9,
    1346498.7,
    935219.6,
    573661.8,
    279205.1,
]


@pytest.fixture(scope="module")
def example3() -> pd.DataFrame:
    # q0 comes from Eurostat's infant formula in the guide; L0 = 0.2 l0 + 0.8 l1 (App. 1 §7)
    table = life_table(
        np.array(AGE), np.array(POP), np.array(DEATHS), first_q=0.00360626, first_l_weight=0.2
    )
    return sullivan(table, np.array(PREV), np.array(SURVEY_N))


def test_life_table_columns(example3: pd.DataFrame) -> None:
    assert np.round(example3["l"].to_numpy(), 1)[:4].tolist() == [
        100000.0,
        99639.4,
        99546.2,
        99484.5,
    ]
    assert np.round(example3["L"].iloc[7], 1) == 494136.5  # 5L30, worked out in the text
    assert np.round(example3["L"].iloc[-1], 1) == 279205.1  # l85 / m85
    assert np.round(example3["T"].to_numpy(), 1).tolist() == T
    assert np.round(example3["e"].to_numpy(), 1).tolist() == E


def test_health_expectancy_to_the_digit(example3: pd.DataFrame) -> None:
    assert np.round(example3["hle"].to_numpy(), 1).tolist() == DFLE
    assert np.round(example3["hle_pct"].to_numpy(), 1).tolist() == PCT
    assert np.round(example3["hle_se"].to_numpy(), 3).tolist() == SE


def test_bad_life_table_input() -> None:
    with pytest.raises(InputDataError, match="increasing"):
        life_table(np.array([0, 5, 1]), np.ones(3), np.ones(3))
    with pytest.raises(InputDataError, match="row 2"):
        life_table(np.array([0, 5, 10]), np.array([10.0, 0.0, 5.0]), np.ones(3))
    table = life_table(np.array([0, 5, 10]), np.array([10.0, 10.0, 5.0]), np.ones(3))
    with pytest.raises(InputDataError, match="share between 0 and 1"):
        sullivan(table, np.array([10.0, 20.0, 30.0]))
