"""Least-privilege identities: a ServiceAccount and exactly the rules its process uses."""

from __future__ import annotations

from cdk8s import JsonPatch
from cdk8s_plus_27 import k8s
from constructs import Construct

from .assembly import on_complete


class Identity(Construct):
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
        k8s.KubeServiceAccount(
            self,
            "service-account",
            metadata=self._metadata(),
            automount_service_account_token=False,
        )

    def allow(
        self, verbs: list[str], resources: list[str], *, api_group: str = "", names: list[str] | None = None
    ) -> "Identity":
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
        role = k8s.KubeRole(self, "role", metadata=self._metadata(), rules=[])
        role.add_json_patch(JsonPatch.add("/rules", self._rules))
        k8s.KubeRoleBinding(
            self,
            "binding",
            metadata=self._metadata(),
            role_ref=k8s.RoleRef(api_group="rbac.authorization.k8s.io", kind="Role", name=self.name),
            subjects=[k8s.Subject(kind="ServiceAccount", name=self.name)],
        )

    def _metadata(self) -> k8s.ObjectMeta:
        return k8s.ObjectMeta(name=self.name, labels=self._labels, annotations=self._annotations)
