"""Typed settings of the web app, read from the environment and validated at start."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gezondewijk._errors import ConfigError


class WebSettings(BaseSettings):
    """Settings of ``gezondewijk serve``; environment variables ``GEZONDEWIJK_<NAME>``.

    Read by pydantic-settings: values given to the constructor win over the environment,
    which wins over the defaults; unsafe production settings fail at start.

    Attributes
    ----------
    database_url
        SQLAlchemy URL: ``sqlite:///path.db`` (default) or ``postgresql+psycopg://…``.
    secret_key
        Signs organiser sessions and residents' form tokens. Required (32+ characters) when
        ``environment`` is ``production``; in development a random key per process is used.
    public_url
        The address residents use (in QR codes and printed forms).
    submit_limit_per_minute
        Submissions allowed per client per minute (kept in memory only, never stored).
    """

    model_config = SettingsConfigDict(env_prefix="GEZONDEWIJK_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = "sqlite:///uitvoer/gezondewijk.db"
    secret_key: str = Field(default="", repr=False)
    public_url: str = "http://127.0.0.1:8000"
    admin_email: str = ""
    admin_password: str = Field(default="", repr=False)
    submit_limit_per_minute: int = Field(default=120, ge=1)
    #: Output folder of a pipeline run (``gezondewijk run``), to show data next to residents.
    map_dir: Path | None = None
    #: The run configuration (TOML) of the map, for scenarios drawn in the map viewer: the run
    #: is computed once in memory and each scenario only where it changes something.
    run_config: Path | None = None
    #: Folder of the scenario files (TOML + GeoJSON, editable in QGIS too); default: the
    #: folder ``scenarios`` next to ``run_config``.
    scenario_dir: Path | None = None
    #: Optional base map tile URL template (e.g. the PDOK BRT WMTS); off by default, so that no
    #: page loads anything from another host unless the municipality chooses to.
    basemap_url: str = ""
    #: Chromium used to print fact sheets and the overview to PDF.
    chromium_path: Path = Path("/usr/bin/chromium")
    max_body_bytes: int = Field(default=200_000, ge=10_000)
    #: Hours a resident's form stays valid after it was opened (the form says so).
    form_token_hours: int = Field(default=24, ge=1, le=24 * 14)
    #: Seconds a campaign read for residents' forms is reused before the database is read again
    #: (organiser changes apply at once in their own worker, in other workers within this time).
    campaign_cache_s: float = Field(default=2.0, ge=0, le=60)
    #: Count the submission limit and failed log-ins in the database, so that several worker
    #: processes (``serve --workers``) or servers on one PostgreSQL database share them.
    shared_limits: bool = False
    #: Least seconds between two live updates of one werksessie (changes in between go out
    #: together; ``0``: one update per change, the straightforward way the benchmark compares).
    live_batch_s: float = Field(default=0.15, ge=0, le=5)
    #: Live streams one participant may hold (a new one ends the oldest), one address, and
    #: this process in all (:class:`gezondewijk.web.limits.StreamLimits`).
    streams_per_viewer: int = Field(default=3, ge=1, le=20)
    #: Joins of a werksessie one address may make per minute (in memory, per process).
    joins_per_minute: int = Field(default=12, ge=1, le=10_000)
    #: Maps, fact sheets and PDFs: threads that render at once, renderings that may wait,
    #: and per address (:class:`gezondewijk.web.limits.RenderPool`).
    render_workers: int = Field(default=2, ge=1, le=32)
    render_waiting: int = Field(default=6, ge=0, le=200)
    render_per_client: int = Field(default=4, ge=1, le=50)
    streams_per_client: int = Field(default=60, ge=1, le=10_000)
    streams_per_process: int = Field(default=2000, ge=1, le=100_000)
    #: PDFs waiting for Chromium at most; more requests get 503 with Retry-After.
    pdf_queue: int = Field(default=4, ge=1, le=100)

    @field_validator("map_dir", "run_config", "scenario_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        # an empty GEZONDEWIJK_MAP_DIR= means "none", not the current folder
        return None if value is None or (isinstance(value, str) and not value.strip()) else value

    @model_validator(mode="after")
    def _safe(self) -> WebSettings:
        if self.environment == "production":
            if len(self.secret_key) < 32:
                raise ValueError(
                    "GEZONDEWIJK_SECRET_KEY must be set to 32+ random characters "
                    "in production (e.g. python -c 'import secrets; "
                    "print(secrets.token_urlsafe(48))')"
                )
            if not self.admin_email or len(self.admin_password) < 12:
                raise ValueError(
                    "GEZONDEWIJK_ADMIN_EMAIL and GEZONDEWIJK_ADMIN_PASSWORD (12+ characters) "
                    "are required in production: the first admin account is made from them"
                )
        if self.map_dir is not None and not (self.map_dir / "buurten.parquet").is_file():
            # fail at start, not with a 422 for every visitor of /kaart
            raise ValueError(
                f"GEZONDEWIJK_MAP_DIR={self.map_dir} is not the output folder of a run (no "
                "buurten.parquet there); give the folder 'gezondewijk run' wrote, or leave it "
                "empty"
            )
        if not self.secret_key:
            self.secret_key = secrets.token_urlsafe(48)
        return self

    @classmethod
    def from_env(cls, **overrides: object) -> WebSettings:
        """Read ``GEZONDEWIJK_*`` variables, then apply ``overrides``.

        Raises
        ------
        ConfigError
            Naming the variable at fault.
        """
        try:
            return cls(**overrides)  # type: ignore[arg-type]
        except ValidationError as exc:
            problems = "; ".join(
                f"GEZONDEWIJK_{'_'.join(str(p) for p in e['loc']).upper() or 'SETTINGS'}: "
                f"{e['msg']}"
                for e in exc.errors()
            )
            raise ConfigError(f"invalid web settings: {problems}") from exc
