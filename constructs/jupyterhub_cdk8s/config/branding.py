"""Config of the hub's look: logo, announcement and page styling."""

from __future__ import annotations

from pydantic import Field, field_validator

from .base import StrictModel


class Branding(StrictModel):
    """What users see on the hub's pages besides JupyterHub's defaults."""

    logo_svg: str | None = Field(
        None, description="The logo as SVG text (starting with <svg), shown in the page header."
    )
    announcement: str | None = Field(None, description="Plain text shown in a banner on every hub page.")
    stylesheet: str | None = Field(
        None, description="CSS added to every hub page, e.g. `:root { --tk-teal: #006680; }`."
    )
    login_message: str | None = Field(
        None,
        description=(
            "Plain text above the login form (a login page template of its own), e.g. where to start from when "
            "the LMS signs users in; blank lines separate paragraphs."
        ),
    )

    @field_validator("logo_svg")
    @classmethod
    def _svg(cls, value: str | None) -> str | None:
        if value is not None and not (value.lstrip().startswith("<svg") and value.rstrip().endswith("</svg>")):
            raise ValueError("must be SVG text from <svg ...> to </svg>; paste the logo file's content")
        return value

    @field_validator("stylesheet")
    @classmethod
    def _plain_css(cls, value: str | None) -> str | None:
        if value is not None and any(mark in value for mark in ("</", "{%", "%}", "{{", "}}", "{#", "#}")):
            raise ValueError("must be plain CSS without `</` or Jinja marks ({% %}, {{ }}, {# #}); remove them")
        return value

    @property
    def enabled(self) -> bool:
        return any(
            value is not None for value in (self.logo_svg, self.announcement, self.stylesheet, self.login_message)
        )
