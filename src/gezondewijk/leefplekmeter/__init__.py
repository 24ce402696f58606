"""Leefplekmeter (Dutch Place Standard): themes, scales, results and the spider-web chart.

Pure domain code; the web app (:mod:`gezondewijk.web`) and storage (:mod:`gezondewijk.store`)
call it.
"""

from gezondewijk.leefplekmeter.results import (
    MIN_GROUP,
    comments_by_theme,
    compare_groups,
    priorities,
    theme_summary,
)
from gezondewijk.leefplekmeter.spider import spider_svg
from gezondewijk.leefplekmeter.themes import SCALES, Scale, Theme, theme_keys, themes

__all__ = [
    "MIN_GROUP",
    "SCALES",
    "Scale",
    "Theme",
    "comments_by_theme",
    "compare_groups",
    "priorities",
    "spider_svg",
    "theme_keys",
    "theme_summary",
    "themes",
]
