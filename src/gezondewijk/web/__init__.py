"""The web app: FastAPI, server-rendered Jinja2 pages and a JSON API.

Served by ``gezondewijk serve``; routes only translate HTTP to library calls.
"""

from gezondewijk.web.app import create_app
from gezondewijk.web.settings import WebSettings

__all__ = ["WebSettings", "create_app"]
