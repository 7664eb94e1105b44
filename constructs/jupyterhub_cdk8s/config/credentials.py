"""Finding what looks like a credential written into Python snippets (hub.extra_config), which end up in git.

A snippet may read a secret from the environment (`os.environ["X"]`), never
hold one: a string literal (quoted or triple-quoted) assigned to a name or
dict key that says secret, password, token or key, a URL with a password in
it, or a literal in the shape of a well-known token, is refused.
"""

from __future__ import annotations

import re

_NAME = r"[\w.\[\]'\"]*(?:secret|password|passwd|token|api_?key|private_?key|credential|cookie_secret)[\w\]'\"]*"
_LITERAL = r"(?:[rbuRBU]{0,2})(?P<quote>'''|\"\"\"|['\"])(?P<value>[^'\"\n]{4,})(?P=quote)"
_ASSIGNED = re.compile(rf"(?i)(?P<name>{_NAME})\s*(?:=|:)\s*{_LITERAL}")
# os.environ.get("DB_PASSWORD", "fallback"): the fallback is a credential in git too.
_FALLBACK = re.compile(
    rf"(?i)environ\.get\(\s*['\"]\w*(?:secret|password|passwd|token|key|credential)\w*['\"]\s*,\s*{_LITERAL}"
)
# Names that hold where or how a secret is found, not the secret: token_url, password_file, username_claim...
_NOT_A_SECRET_NAME = re.compile(r"(?i)(url|uri|path|file|dir|claim|env|name|header|type|method|scopes?|key)['\"\]]*$")
# ...though a name ending in "key" is one when it says which: secret_key, AWS_SECRET_ACCESS_KEY, api_key.
_SECRET_KEY_NAME = re.compile(r"(?i)(secret|private|access|api|encryption|signing)_?key['\"\]]*$")
# scheme://user:password@host; a password that is a placeholder ({...} of an f-string or format, $VAR, %s) is not.
_URL_PASSWORD = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:(?![{$%])[^/\s@'\"]+@")
_SHAPES = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|\bgh[pousr]_[A-Za-z0-9]{36}\b"
    r"|\bglpat-[A-Za-z0-9_-]{20}\b"
    r"|\bAKIA[0-9A-Z]{16}\b"
    r"|\bxox[abpr]-[A-Za-z0-9-]{10,}"
)


def credential_literal(code: str) -> str | None:
    """The first line of `code` that looks like it holds a credential, as `line N: <text>`; None if none does."""
    for number, line in enumerate(code.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        assigned = any(_is_secret(match) for match in _ASSIGNED.finditer(line))
        if assigned or _SHAPES.search(line) or _FALLBACK.search(line) or _URL_PASSWORD.search(line):
            return f"line {number}: {stripped[:60]}"
    return None


def _is_secret(match: re.Match[str]) -> bool:
    if _NOT_A_SECRET_NAME.search(match["name"]) and not _SECRET_KEY_NAME.search(match["name"]):
        return False
    return not match["value"].startswith(("http://", "https://", "/", "{"))


def credential_message(where: str) -> str:
    return (
        f"{where} looks like a credential written into the config, which ends up in git and dist/; put the value "
        "in a Secret, give it to the hub as hub.environment: {MY_VARIABLE: {name: <secret>, key: <key>}} and read "
        'it in the snippet with os.environ["MY_VARIABLE"]'
    )
