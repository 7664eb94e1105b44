"""Config of authentication: who may log in, and who is admin.

`auth.type` selects the authenticator; every variant carries the same explicit
access rule, because JupyterHub 5 lets nobody in without one and an implicit
"everyone who can authenticate" is how hubs get opened to the internet.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from .base import SecretKeyRef, StrictModel, field_problems


class AccessRule(StrictModel):
    """Who may log in and who is admin; shared by every authenticator."""

    allowed_users: list[str] = Field(default_factory=list, description="Usernames allowed to log in.")
    allow_all: bool = Field(
        False, description="Let every user the authenticator accepts log in. Must be said explicitly."
    )
    admin_users: list[str] = Field(default_factory=list, description="Usernames with admin rights (they may log in too).")

    def has_access_rule(self) -> bool:
        return bool(self.allowed_users or self.allow_all)

    @model_validator(mode="after")
    def _explicit_access(self):
        if not self.has_access_rule() and not self.admin_users:
            raise field_problems(
                (
                    "allowed_users",
                    "no access rule: nobody could log in; list allowed_users, or write `allow_all: true` "
                    "to let everyone the authenticator accepts in",
                )
            )
        return self


class SharedPasswordAuth(AccessRule):
    """One password shared by all users (JupyterHub's SharedPasswordAuthenticator), read from a Secret."""

    type: Literal["shared-password"] = Field(description="Shared password for every user.")
    password_secret: SecretKeyRef = Field(
        description="Secret key holding the users' password (at least 8 characters)."
    )
    admin_password_secret: SecretKeyRef | None = Field(
        None,
        description="Optional Secret key with a separate admin password (at least 32 characters); admin_users log in with it.",
    )


Auth = Annotated[Union[SharedPasswordAuth], Field(discriminator="type")]
"""One of the authenticators; more variants slot in beside SharedPasswordAuth."""
