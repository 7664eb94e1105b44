"""The hub's look: logo, announcement and styling, in a ConfigMap mounted into the hub."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass

from cdk8s_plus_27 import k8s
from constructs import Construct

from .api_objects import api_object
from .component import Component, Context, Volume
from .config import HubConfig
from .config.branding import Branding
from .config.hub import BRANDING_DIR
from .config_file import ConfigFile, Order
from .naming import HUB, Names
from .parts import Part

JINJA_ESCAPES = str.maketrans({"{": "&#123;", "}": "&#125;"})
PAGE_TEMPLATE = "page.html"
LOGIN_TEMPLATE = "login.html"
LOGO_FILE = "logo.svg"


def branding_files(branding: Branding) -> dict[str, str]:
    """The ConfigMap's files: a page.html (and login.html) extending JupyterHub's own, and the logo."""
    blocks = ['{% extends "templates/page.html" %}']
    if branding.stylesheet:
        blocks.append(
            "{% block stylesheet %}\n{{ super() }}\n<style>\n"
            + branding.stylesheet.strip()
            + "\n</style>\n{% endblock stylesheet %}"
        )
    if branding.announcement:
        # Plain text from the config, escaped twice: as HTML (the block renders HTML), and as Jinja, since
        # page.html is a template: braces become character references, so `{{ 7*7 }}` shows as written and
        # `{% endblock %}` cannot end the block (every Jinja tag, expression and comment starts with a brace).
        text = html.escape(branding.announcement.strip()).translate(JINJA_ESCAPES)
        blocks.append(
            "{% block announcement %}\n"
            f'<div class="container text-center announcement alert alert-info">{text}</div>\n'
            "{% endblock announcement %}"
        )
    files = {PAGE_TEMPLATE: "\n".join(blocks) + "\n"}
    if branding.login_message:
        # Plain text, escaped, above JupyterHub 5.5's own login form (templates/login.html, block login_container).
        paragraphs = "\n".join(
            f"<p>{html.escape(paragraph.strip())}</p>"
            for paragraph in branding.login_message.strip().split("\n\n")
            if paragraph.strip()
        )
        files[LOGIN_TEMPLATE] = (
            '{% extends "templates/login.html" %}\n{% block login_container %}\n'
            f'<div class="login-message text-center">\n{paragraphs}\n</div>\n'
            "{{ super() }}\n{% endblock login_container %}\n"
        )
    if branding.logo_svg:
        files[LOGO_FILE] = branding.logo_svg.strip() + "\n"
    return files


def configure_branding(file: ConfigFile, branding: Branding) -> None:
    files = branding_files(branding)
    file.section(Order.BRANDING, "Branding: templates and logo from the branding ConfigMap")
    # Templates are read once: a change of the files must restart the hub.
    digest = hashlib.sha256("".join(f"{k}\\0{v}" for k, v in sorted(files.items())).encode()).hexdigest()
    file.code(f"# branding checksum {digest}")
    file.set("JupyterHub", "template_paths", [BRANDING_DIR])
    if LOGO_FILE in files:
        file.set("JupyterHub", "logo_file", f"{BRANDING_DIR}/{LOGO_FILE}")


class BrandingFiles(Part):
    """The ConfigMap the hub shows at BRANDING_DIR."""

    def __init__(self, scope: Construct, id: str, *, branding: Branding, names: Names):
        super().__init__(scope, id)
        api_object(
            self,
            "configmap",
            k8s.KubeConfigMap,
            {
                "metadata": {"name": names.hub_branding, "labels": names.labels(HUB)},
                "data": branding_files(branding),
            },
        )


@dataclass(frozen=True)
class BrandingComponent(Component):
    """Logo, announcement and styling: hub templates in a ConfigMap the hub pod mounts."""

    branding: Branding

    @classmethod
    def from_config(cls, config: HubConfig) -> BrandingComponent | None:
        return cls(config.hub.branding) if config.hub.branding.enabled else None

    def configure(self, context: Context) -> None:
        configure_branding(context.config_file, self.branding)

    def declare(self, context: Context) -> None:
        source = {"configMap": {"name": context.names.hub_branding}}
        context.hub_pod.volumes.append(Volume("branding", source, BRANDING_DIR, read_only=True))

    def build(self, scope: Construct, context: Context) -> None:
        BrandingFiles(scope, "branding", branding=self.branding, names=context.names)
