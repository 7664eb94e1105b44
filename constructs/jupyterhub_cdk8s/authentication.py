"""Authentication: the authenticator class, its settings and the access rule."""

from __future__ import annotations

from .config.auth import AccessRule, SharedPasswordAuth
from .hub.config_file import ConfigFile


def configure_authenticator(file: ConfigFile, auth: SharedPasswordAuth) -> None:
    file.section(f"Authentication: {auth.type}")
    file.set("JupyterHub", "authenticator_class", auth.type)
    password = file.secret_env("JUPYTERHUB_SHARED_PASSWORD", auth.password_secret.name, auth.password_secret.key)
    file.set("SharedPasswordAuthenticator", "user_password", password)
    if auth.admin_password_secret:
        admin = file.secret_env(
            "JUPYTERHUB_ADMIN_PASSWORD", auth.admin_password_secret.name, auth.admin_password_secret.key
        )
        file.set("SharedPasswordAuthenticator", "admin_password", admin)
    configure_access(file, auth)


def configure_access(file: ConfigFile, rule: AccessRule) -> None:
    file.section("Authentication: access rule")
    if rule.allowed_users:
        file.set("Authenticator", "allowed_users", set(rule.allowed_users))
    file.set("Authenticator", "allow_all", rule.allow_all)
    if rule.admin_users:
        file.set("Authenticator", "admin_users", set(rule.admin_users))
