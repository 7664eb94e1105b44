"""Least-privilege identities: a ServiceAccount and exactly the rules its process uses."""

from __future__ import annotations

from cdk8s_plus_27 import k8s
from constructs import Construct

from .api_objects import api_object
from .parts import Part, on_complete


class Identity(Part):
    """A ServiceAccount with its own namespaced Role, granted rule by rule with `allow`.

    No wildcard verbs or resources can be expressed, and the token is mounted
    only when the process talks to the API server.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        labels: dict[str, str],
        annotations: dict[str, str] | None = None,
    ):
        super().__init__(scope, id)
        self.name = name
        self._labels = labels
        self._annotations = annotations
        self._rules: list[dict] = []
        api_object(
            self,
            "service-account",
            k8s.KubeServiceAccount,
            {"metadata": self._metadata(), "automountServiceAccountToken": False},
        )

    def allow(
        self, verbs: list[str], resources: list[str], *, api_group: str = "", names: list[str] | None = None
    ) -> Identity:
        """Let this identity do `verbs` on `resources` (optionally only the objects `names`)."""
        if "*" in verbs or "*" in resources:
            raise ValueError("wildcards are not least privilege; name the verbs and resources")
        if not self._rules:
            on_complete(self, self._write_role)
        rule = {"apiGroups": [api_group], "resources": resources, "verbs": verbs}
        if names:
            rule["resourceNames"] = names
        self._rules.append(rule)
        return self

    def _write_role(self) -> None:
        api_object(self, "role", k8s.KubeRole, {"metadata": self._metadata(), "rules": self._rules})
        api_object(
            self,
            "binding",
            k8s.KubeRoleBinding,
            {
                "metadata": self._metadata(),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": self.name},
                "subjects": [{"kind": "ServiceAccount", "name": self.name}],
            },
        )

    def _metadata(self) -> dict:
        return {"name": self.name, "labels": self._labels, "annotations": self._annotations}
