"""The hub's look: logo, announcement and styling, in a ConfigMap mounted into the hub."""

from __future__ import annotations

import hashlib
import html

from cdk8s_plus_27 import k8s

from constructs import Construct

from .assembly import Part
from .config.branding import Branding
from .hub.config_file import ConfigFile
from .kube import kube_object
from .naming import HUB, Names

BRANDING_DIR = "/usr/local/share/jupyterhub/branding"
PAGE_TEMPLATE = "page.html"
LOGO_FILE = "logo.svg"


def branding_files(branding: Branding) -> dict[str, str]:
    """The ConfigMap's files: a page.html extending JupyterHub's own, and the logo."""
    blocks = ['{% extends "templates/page.html" %}']
    if branding.stylesheet:
        blocks.append(
            "{% block stylesheet %}\n{{ super() }}\n<style>\n"
            + branding.stylesheet.strip()
            + "\n</style>\n{% endblock stylesheet %}"
        )
    if branding.announcement:
        # Plain text from the config, escaped: the announcement block renders HTML.
        text = html.escape(branding.announcement.strip())
        blocks.append(
            "{% block announcement %}\n"
            f'<div class="container text-center announcement alert alert-info">{text}</div>\n'
            "{% endblock announcement %}"
        )
    files = {PAGE_TEMPLATE: "\n".join(blocks) + "\n"}
    if branding.logo_svg:
        files[LOGO_FILE] = branding.logo_svg.strip() + "\n"
    return files


def branding_configmap_name(names: Names) -> str:
    return names.of("hub-branding")


def configure_branding(file: ConfigFile, branding: Branding) -> None:
    if not branding.enabled:
        return
    files = branding_files(branding)
    file.section("Branding: templates and logo from the branding ConfigMap")
    # Templates are read once: a change of the files must restart the hub.
    digest = hashlib.sha256("".join(f"{k}\\0{v}" for k, v in sorted(files.items())).encode()).hexdigest()
    file.code(f"# branding checksum {digest}")
    file.set("JupyterHub", "template_paths", [BRANDING_DIR])
    if LOGO_FILE in files:
        file.set("JupyterHub", "logo_file", f"{BRANDING_DIR}/{LOGO_FILE}")


class BrandingFiles(Part):
    """The ConfigMap and the hub volume that shows it at BRANDING_DIR."""

    def __init__(self, scope: Construct, id: str, *, branding: Branding, names: Names):
        super().__init__(scope, id)
        kube_object(
            self,
            "configmap",
            k8s.KubeConfigMap,
            {
                "metadata": {"name": branding_configmap_name(names), "labels": names.labels(HUB)},
                "data": branding_files(branding),
            },
        )
        self.volume = {"name": "branding", "configMap": {"name": branding_configmap_name(names)}}
        self.mount = {"name": "branding", "mountPath": BRANDING_DIR, "readOnly": True}
