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


def _guide_life_table() -> pd.DataFrame:
    # q0 comes from Eurostat's infant formula in the guide; L0 = 0.2 l0 + 0.8 l1 (App. 1 §7);
    # the guide takes ax = 0.5 in every group ("we will simply assume ax = 0.5")
    return life_table(
        np.array(AGE),
        np.array(POP),
        np.array(DEATHS),
        first_q=0.00360626,
        first_l_weight=0.2,
        ax=0.5,
    )


@pytest.fixture(scope="module")
def example3() -> pd.DataFrame:
    return sullivan(_guide_life_table(), np.array(PREV), np.array(SURVEY_N))


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
    # Table 4.1 column [20]: the standard error from the prevalence alone
    assert np.round(np.sqrt(example3["hle_var_prevalence"].to_numpy()), 3).tolist() == SE


def test_bad_life_table_input() -> None:
    with pytest.raises(InputDataError, match="increasing"):
        life_table(np.array([0, 5, 1]), np.ones(3), np.ones(3))
    with pytest.raises(InputDataError, match="row 2"):
        life_table(np.array([0, 5, 10]), np.array([10.0, 0.0, 5.0]), np.ones(3))
    table = life_table(np.array([0, 5, 10]), np.array([10.0, 10.0, 5.0]), np.ones(3))
    with pytest.raises(InputDataError, match="share between 0 and 1"):
        sullivan(table, np.array([10.0, 20.0, 30.0]))


# Table 4.2 column [26]: total variance of DFLE, prevalence and mortality parts
VAR_TOTAL = [
    0.12749,
    0.12813,
    0.12512,
    0.12241,
    0.11645,
    0.10883,
    0.10331,
    0.09825,
    0.09389,
    0.08758,
    0.08257,
    0.07513,
    0.06961,
    0.05940,
    0.04832,
    0.04065,
    0.03305,
    0.02339,
    0.01114,
]
# Table 4.2 column [25]: the mortality part
VAR_MORTALITY = [
    0.00134,
    0.00107,
    0.00100,
    0.00096,
    0.00094,
    0.00088,
    0.00083,
    0.00078,
    0.00074,
    0.00069,
    0.00064,
    0.00057,
    0.00048,
    0.00040,
    0.00030,
    0.00021,
    0.00015,
    0.00008,
    0.0,
]
# Example 6: share in institutions (Table 6.1 column [10a] inputs), DFLE incl. institutions
# (column [13a]) and its standard error (Table 6.2 column [20a])
INSTITUTIONS = [
    0.0,
    0.0,
    0.0,
    0.0,
    0.0,
    0.001,
    0.001,
    0.001,
    0.001,
    0.002,
    0.002,
    0.003,
    0.003,
    0.006,
    0.009,
    0.019,
    0.047,
    0.110,
    0.297,
]
DFLE_INST = [
    65.7,
    64.9,
    61.2,
    56.4,
    51.8,
    47.3,
    42.8,
    38.4,
    33.9,
    29.8,
    25.6,
    21.8,
    18.0,
    14.8,
    11.4,
    8.2,
    5.6,
    3.7,
    1.8,
]
SE_INST = [
    0.350, 0.351, 0.347, 0.343, 0.334, 0.322, 0.314, 0.306, 0.298, 0.288,
    0.279, 0.265, 0.254, 0.233, 0.207, 0.187, 0.163, 0.128, 0.070,
]  # fmt: skip


def test_standard_error_includes_the_mortality_part(example3: pd.DataFrame) -> None:
    # Example 4, Table 4.2: variance from the mortality rates plus from the prevalence
    assert np.round(example3["hle_var_mortality"].to_numpy(), 5).tolist() == VAR_MORTALITY
    total = example3["hle_var_prevalence"] + example3["hle_var_mortality"]
    assert np.round(total.to_numpy(), 5).tolist() == VAR_TOTAL
    assert example3["hle_se"].to_numpy() == pytest.approx(np.sqrt(VAR_TOTAL), abs=2e-5)
    with_mortality = example3["hle_se"].to_numpy()[:-1]  # 85+ has no mortality part
    assert np.all(with_mortality > np.sqrt(example3["hle_var_prevalence"].to_numpy()[:-1]))


def test_institutions_counted_as_unhealthy() -> None:
    table = _guide_life_table()
    out = sullivan(
        table, np.array(PREV), np.array(SURVEY_N), institutionalised=np.array(INSTITUTIONS)
    )
    # Example 6, Tables 6.1 and 6.2 (prevalence part of the variance, as the guide there)
    assert np.round(out["hle"].to_numpy(), 1).tolist() == DFLE_INST
    # to 0.001 year: the guide prints I_x to three decimals (0.001 may be 0.0005 to 0.0015)
    assert np.sqrt(out["hle_var_prevalence"].to_numpy()) == pytest.approx(SE_INST, abs=1.0e-3)
    assert out["pi"].iloc[-1] == pytest.approx((1 - 0.297) * PREV[-1] + 0.297)
    with pytest.raises(InputDataError, match="institutionalised"):
        sullivan(table, np.array(PREV), institutionalised=np.full(len(AGE), 2.0))


# PHE life expectancy calculator example (PHEindicatormethods, tests/testthat/
# testLifeExpectancy.R, df1 and answer1): 5-year bands to 90+, a0 = 0.1, Chiang II + Silcocks
PHE_AGE = [0, 1, *range(5, 95, 5)]
PHE_POP = [
    7060,
    35059,
    46974,
    48489,
    43219,
    38561,
    46009,
    57208,
    61435,
    55601,
    50209,
    56416,
    46411,
    39820,
    37978,
    37039,
    33288,
    23306,
    11936,
    11936,
]
PHE_DEATHS = [
    17,
    9,
    4,
    8,
    20,
    15,
    24,
    33,
    50,
    71,
    100,
    163,
    263,
    304,
    536,
    872,
    1390,
    1605,
    1936,
    1937,
]
PHE_E = [
    80.16960813,
    79.36245674,
    75.44193645,
    70.47299936,
    65.52909542,
    60.67510088,
    55.78835987,
    50.92752727,
    46.06740425,
    41.24505636,
    36.49322717,
    31.83343842,
    27.26027992,
    22.9719144,
    18.76856852,
    14.95858336,
    11.51684445,
    8.618849241,
    6.163942934,
    6.16210635,
]
PHE_LOWER = [
    79.88268548,
    79.0898816,
    75.17407307,
    70.20675732,
    65.26548673,
    60.41876577,
    55.53801579,
    50.68279939,
    45.82666794,
    41.00842831,
    36.26223216,
    31.60996318,
    27.04337271,
    22.76653134,
    18.57570352,
    14.77985004,
    11.34831778,
    8.451134045,
    5.978358351,
    5.887683386,
]
PHE_UPPER = [
    80.45653078, 79.63503188, 75.70979983, 70.7392414, 65.79270412, 60.931436, 56.03870395,
    51.17225516, 46.30814055, 41.48168441, 36.72422219, 32.05691365, 27.47718713, 23.17729746,
    18.96143352, 15.13731667, 11.68537112, 8.786564437, 6.349527517, 6.436529314,
]  # fmt: skip


def test_life_expectancy_and_interval_as_phe() -> None:
    table = life_table(np.array(PHE_AGE), np.array(PHE_POP), np.array(PHE_DEATHS))
    assert table["a"].iloc[0] == 0.1 and table["a"].iloc[1:].eq(0.5).all()
    assert table["e"].to_numpy() == pytest.approx(PHE_E, abs=1e-4)
    assert table["e_lower"].to_numpy() == pytest.approx(PHE_LOWER, abs=1e-4)
    assert table["e_upper"].to_numpy() == pytest.approx(PHE_UPPER, abs=1e-4)
    assert not table["suppressed"].any()


def test_suppressed_results_are_flagged_not_silent() -> None:
    deaths = np.array(PHE_DEATHS, dtype=float)
    pop = np.array(PHE_POP, dtype=float)
    pop[18] = 119  # fewer people than deaths in 85-89 (PHE's own test case)
    flagged = life_table(np.array(PHE_AGE), pop, deaths)
    assert flagged["suppressed"].all()
    assert flagged["suppression"].str.contains("deaths above population").all()
    assert flagged["q"].dropna().le(1).all()  # capped, never a probability above 1
    small = life_table(np.array(PHE_AGE), np.full(20, 200.0), np.full(20, 5.0))
    assert small["suppressed"].all()
    assert "5,000 or less" in small["suppression"].iloc[0]
    # a small area with a wide interval: flagged where the 95 % interval is over 20 years
    wide = life_table(np.array(PHE_AGE), np.array(PHE_POP) / 3000, np.array(PHE_DEATHS) / 3000)
    over = (wide["e_upper"] - wide["e_lower"]) > 20
    assert over.any()
    assert wide.loc[over, "suppression"].str.contains("wider than 20 years").all()
    assert not wide.loc[~over, "suppression"].str.contains("wider").any()


def test_fewer_age_bands_than_phe_needs_give_no_value() -> None:
    # PHEindicatormethods phe_life_expectancy: a group without all 20 bands gets NA, with a
    # warning; here: 19 bands ending at 85+ (85-89 and 90+ merged)
    age = np.array(PHE_AGE[:-1], dtype=float)
    pop = np.array(PHE_POP, dtype=float)
    deaths = np.array(PHE_DEATHS, dtype=float)
    pop = np.append(pop[:-2], pop[-2:].sum())
    deaths = np.append(deaths[:-2], deaths[-2:].sum())
    short = life_table(age, pop, deaths)
    assert short["e"].isna().all() and short["e_lower"].isna().all()
    assert short["suppressed"].all()
    assert short["suppression"].str.contains("20 age bands").all()
    # the full 20 bands give a value; so does the Sullivan guide's own 85+ table with its ax
    assert life_table(np.array(PHE_AGE), np.array(PHE_POP), np.array(PHE_DEATHS))["e"].notna().all()
    assert _guide_life_table()["e"].notna().all()
    # asked for explicitly, the rule also holds with a given ax
    assert life_table(age, pop, deaths, ax=0.5, phe_bands=True)["e"].isna().all()


def test_open_age_group_adds_no_mortality_variance_as_the_guide_prints(
    example3: pd.DataFrame,
) -> None:
    # Example 4 step 2: "For the last age group 85+ this part is in fact 0"; Table 4.2 prints
    # the 85+ total variance 0.01114 = its prevalence part (0.0111424). A q85 from a 10-year
    # width (as column [22] takes n = 10: 2.4350) would add 8.48e-6 and print 0.01115.
    last = example3.iloc[-1]
    assert last["hle_var_mortality"] == 0.0
    assert round(last["hle_var_prevalence"] + last["hle_var_mortality"], 5) == 0.01114
    m = DEATHS[-1] / POP[-1]
    q = 10 * m / (1 + 5 * m)
    term = (0.5 * 10 * (1 - PREV[-1])) ** 2 * q**2 * (1 - q) / DEATHS[-1]
    assert term == pytest.approx(8.48e-6, abs=1e-8)
    assert round(last["hle_var_prevalence"] + term, 5) == 0.01115  # not what the guide prints
