r"""Similar Dutch texts: offers that answer needs, and stressors that were named already.

Two work forms compare short Dutch texts written by participants: *brengen en halen* sets
offers of one domain next to needs of the other and suggests pairs; *omgeving en chronische
stress* flags a stressor that seems to have been named already. Both use the cosine
similarity of character n-gram TF-IDF vectors (scikit-learn's ``TfidfVectorizer`` with
``analyzer="char_wb"``, n = 3-5, sublinear term frequency, rows L2-normalised):

.. math:: \mathrm{sim}(a, b) = \frac{v_a \cdot v_b}{\lVert v_a \rVert \, \lVert v_b \rVert},
   \qquad v_{t}(d) = (1 + \ln \mathrm{tf}_{t,d}) \,
   \bigl(1 + \ln \tfrac{1 + N}{1 + \mathrm{df}_t}\bigr)

Why character n-grams and not words or a fuzzy matcher such as RapidFuzz: Dutch glues words
together (*speelplek*, *speelplekken*, *geluidsoverlast* next to *overlast van geluid*), and
participants write in fragments with inflections and typing errors; shared n-grams catch these
where whole words do not, and RapidFuzz's token ratios compare whole words or whole strings.
The IDF weights are fitted on the texts of the one workshop, so words everyone uses (*de*,
*van*, *wijk*) count for little. Texts are lowercased and stripped of accents first.

The thresholds were set on the hand-labelled Dutch texts in ``tests/test_werkvormen.py``;
suggestions are only suggestions: the facilitator confirms or rejects each one. The method
compares wording, not meaning: *luchtvervuiling* and *slechte luchtkwaliteit* are not
flagged as the same stressor, and *overlast van bouwverkeer* is flagged next to
*geluidsoverlast van verkeer*; the facilitator decides.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

#: Least similarity for a suggested offer-need pair.
MATCH_THRESHOLD = 0.15
#: Least similarity for "this seems to have been named already".
DUPLICATE_THRESHOLD = 0.45

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """Lowercase, accents off (é → e, ë → e), everything but letters and digits a space."""
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain).strip()


def similarities(left: list[str], right: list[str]) -> np.ndarray:
    """Cosine similarities (``len(left)`` × ``len(right)``, 0 … 1) of two lists of texts.

    The IDF weights are fitted on both lists together. Empty texts are similar to nothing.
    """
    if not left or not right:
        return np.zeros((len(left), len(right)))
    texts = [normalise(t) for t in [*left, *right]]
    if not any(texts):
        return np.zeros((len(left), len(right)))
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    vectors = vectorizer.fit_transform(texts)  # rows are L2-normalised: dot = cosine
    product = (vectors[: len(left)] @ vectors[len(left) :].T).toarray()
    return np.clip(np.asarray(product, dtype=float), 0.0, 1.0)


@dataclass(frozen=True)
class Match:
    """A suggested pair: ``offer`` and ``need`` are positions in the lists given."""

    offer: int
    need: int
    score: float


def suggest_matches(
    offers: list[str],
    needs: list[str],
    *,
    threshold: float = MATCH_THRESHOLD,
    per_need: int = 3,
) -> list[Match]:
    """Offers that may answer each need, best first, at most ``per_need`` per need.

    Parameters
    ----------
    offers
        What one domain offers.
    needs
        What the other domain needs.
    threshold
        Least similarity of a suggestion (:data:`MATCH_THRESHOLD`).
    per_need
        Suggestions per need at most.
    """
    sim = similarities(offers, needs)
    found: list[Match] = []
    for j in range(sim.shape[1]):
        best = np.argsort(-sim[:, j], kind="stable")[:per_need]
        found += [Match(int(i), j, float(sim[i, j])) for i in best if sim[i, j] >= threshold]
    return sorted(found, key=lambda m: (-m.score, m.need, m.offer))


def near_duplicates(
    named: list[str], text: str, *, threshold: float = DUPLICATE_THRESHOLD
) -> list[tuple[int, float]]:
    """Positions in ``named`` of texts that seem to say the same as ``text``, most alike first."""
    if not named or not normalise(text):
        return []
    sim = similarities(named, [text])[:, 0]
    order = np.argsort(-sim, kind="stable")
    return [(int(i), float(sim[i])) for i in order if sim[i] >= threshold]
