"""Flags for personal data in residents' comments, shown to the moderator before approval.

Comments are public only after an organiser approves them. These patterns help the moderator
spot what should not be published (AVG/GDPR: data that identifies a person): e-mail addresses,
Dutch phone numbers, postcodes and a street name with a house number. They flag; the moderator
decides. False positives are cheap, a missed address is not, so the patterns are generous.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

#: The review states of residents' comments and photos, with the one Dutch name of each.
REVIEW_LABELS: dict[str, str] = {
    "pending": "nog niet beoordeeld",
    "approved": "goedgekeurd",
    "rejected": "afgewezen",
}
REVIEWS: tuple[str, ...] = tuple(REVIEW_LABELS)


def pending_comments(answers: Mapping[str, Sequence[object]]) -> int:
    """Comments that wait for review: non-empty texts whose review is ``pending``.

    ``answers`` holds, per kind (``good``, ``better``), the texts and, under
    ``<kind>_review``, their review states, position by position (the answers table).
    """
    return sum(
        1
        for kind in ("good", "better")
        for text, review in zip(answers[kind], answers[f"{kind}_review"], strict=True)
        if str(text).strip() and review == "pending"
    )


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
#: 06-12345678, 06 1234 5678, +31 6 12345678, 0031..., 010-1234567, 0201234567.
_PHONE = re.compile(r"(?<!\d)(\+31|0031|0)[\s-]?(\(0\)[\s-]?)?[1-9](?:[\s-]?\d){8}(?!\d)")
_POSTCODE = re.compile(r"\b[1-9]\d{3}\s?[A-Z]{2}\b")
_STREET_SUFFIX = (
    "straat|weg|laan|plein|gracht|kade|singel|dijk|pad|hof|dreef|steeg|markt|park|"
    "plantsoen|erf|baan|wal|veld|ring|allee|boulevard|straatje|pleintje|laantje"
)
#: "Kerkstraat 12", "Lange Hofstraat 3a", "Hoofdweg 12-II", "Dorpsstraat nr 5".
_ADDRESS = re.compile(
    rf"\b[A-Za-zÀ-ÿ'-]{{2,}}(?:{_STREET_SUFFIX})\s+(?:nr\.?\s*|nummer\s+)?\d{{1,4}}\s?[a-zA-Z]?\b",
    re.IGNORECASE,
)

FLAGS = {
    "e-mailadres": _EMAIL,
    "telefoonnummer": _PHONE,
    "postcode": _POSTCODE,
    "adres (straat en huisnummer)": _ADDRESS,
}


def personal_data_flags(text: str) -> list[str]:
    """The kinds of personal data ``text`` seems to contain, in Dutch (empty when none).

    Examples
    --------
    >>> personal_data_flags("Bel me op 06-12345678 of mail jan@example.org")
    ['e-mailadres', 'telefoonnummer']
    >>> personal_data_flags("Meer bankjes in het park")
    []
    """
    return [name for name, pattern in FLAGS.items() if pattern.search(text)]
