"""import-z2jh of the chart's user-pod keys: the pods built from the import carry what the chart's would, key by key.

The values file (tests/data/z2jh-user-pods-values.yaml) uses every such key. The
table below says, for each chart key, which field of which pod the chart
makes from it (z2jh 4.4.0: files/hub/jupyterhub_config.py for user pods, the
templates for the others); each row is checked on the pods built here: user
pods by the real KubeSpawner 7.0.0 from the generated jupyterhub_config.py, the
others as synthesized.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from support.synthesis import find, hub_config_text, synth_objects
from support.user_pods import load_hub_config, user_pod

from jupyterhub_cdk8s.z2jh_import import migrate, render

pytestmark = pytest.mark.real

VALUES_FILE = Path(__file__).parent / "data" / "z2jh-user-pods-values.yaml"
VALUES = yaml.safe_load(VALUES_FILE.read_text(encoding="utf-8"))
USER = "alice"
TYPED_IMAGE = "registry.example.org/lab/custom:7"
# The user pods the chart would start: each profile, a drop-down's other choice, an image typed in the free text.
SELECTIONS = {
    "cpu": {"profile": "cpu"},
    "cpu-r": {"profile": "cpu", "image": "r"},
    "cpu-typed": {"profile": "cpu", "image--unlisted-choice": TYPED_IMAGE},
    "gpu": {"profile": "gpu"},
}


@dataclass
class Built:
    """What the import of VALUES builds: its objects, and the user pod of each selection."""

    objects: list[dict]
    pods: dict[str, dict]

    def spec(self, name: str) -> dict:
        return self.pods[name]["spec"]

    def container(self, pod: str, name: str) -> dict:
        spec = self.spec(pod)
        return next(c for c in spec["containers"] + (spec.get("initContainers") or []) if c["name"] == name)

    def mount(self, pod: str, path: str) -> tuple[dict, dict]:
        """The notebook's mount at `path`, and its volume."""
        mount = next(m for m in self.container(pod, "notebook")["volumeMounts"] if m["mountPath"] == path)
        volume = next(v for v in self.spec(pod)["volumes"] if v["name"] == mount["name"])
        return mount, volume

    def workload(self, kind: str, component: str) -> dict:
        (found,) = [
            o
            for o in self.objects
            if o["kind"] == kind and o["metadata"]["labels"]["app.kubernetes.io/component"] == component
        ]
        return found["spec"]["template"]["spec"]

    def pullers(self) -> list[dict]:
        return [
            o["spec"]["template"]["spec"]
            for o in self.objects
            if o["kind"] == "DaemonSet" and o["metadata"]["labels"]["app.kubernetes.io/component"] == "image-puller"
        ]


def secrets(spec: dict) -> set[str]:
    return {secret["name"] for secret in spec.get("imagePullSecrets") or []}


def env(container: dict) -> dict[str, dict]:
    return {item["name"]: item for item in container.get("env") or []}


@dataclass(frozen=True)
class Row:
    key: str
    """The chart key (dotted, in VALUES)."""
    chart: str
    """The pod field the chart makes of it, and where the chart does so."""
    check: Callable[[Built], None]


def _check_files(built: Built, pod: dict, path: str, key: str, content: str) -> None:
    mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["mountPath"] == path)
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    assert (mount["subPath"], mount.get("readOnly")) == (key, True)
    stored = find(built.objects, "ConfigMap", volume["configMap"]["name"])["data"][key]
    assert stored.strip() == content.strip()


def _check_extra_volumes(built: Built) -> None:
    volumes = {v["name"]: v for v in VALUES["singleuser"]["storage"]["extraVolumes"]}
    for mount in VALUES["singleuser"]["storage"]["extraVolumeMounts"]:
        ours, volume = built.mount("cpu", mount["mountPath"])
        assert ours.get("subPath") == mount.get("subPath")
        assert bool(ours.get("readOnly")) == bool(mount.get("readOnly")) or "configMap" in volume or "secret" in volume
        chart = volumes[mount["name"]]
        source = next(key for key in chart if key != "name")
        assert {k: v for k, v in volume[source].items() if k != "readOnly"} == {
            k: v for k, v in chart[source].items() if k != "readOnly"
        }


PROFILE = "singleuser.profileList[{}].kubespawner_override.{}"


def _override(index: int, key: str):
    return VALUES["singleuser"]["profileList"][index]["kubespawner_override"][key]


TABLE: list[Row] = [
    # --- private registries (chart: _helpers.tpl jupyterhub.imagePullSecrets; jupyterhub_config.py for user pods)
    Row(
        "imagePullSecrets",
        "imagePullSecrets of every pod: user pods, pullers, hub, proxy, scheduler, hook, placeholders",
        lambda b: [
            assert_all(
                "lab-registry" in secrets(spec) for spec in [*(p["spec"] for p in b.pods.values()), *b.pullers()]
            ),
            assert_all(
                "lab-registry" in secrets(b.workload(kind, component))
                for kind, component in [
                    ("Deployment", "hub"),
                    ("Deployment", "proxy"),
                    ("Deployment", "user-scheduler"),
                    ("Job", "image-awaiter"),
                    ("StatefulSet", "user-placeholder"),
                ]
            ),
        ],
    ),  # fmt: skip
    Row(
        "imagePullSecret",
        "imagePullSecrets of every pod: the Secret it creates for imagePullSecret.registry",
        lambda b: assert_all(
            "image-pull-secret" in secrets(spec) for spec in [*(p["spec"] for p in b.pods.values()), *b.pullers()]
        ),
    ),
    Row(
        "hub.image.pullSecrets",
        "imagePullSecrets of the hub's pod (hub/deployment.yaml)",
        lambda b: assert_all(["hub-registry" in secrets(b.workload("Deployment", "hub"))]),
    ),
    Row(
        "proxy.chp.image.pullSecrets",
        "imagePullSecrets of the proxy's pod (proxy/deployment.yaml)",
        lambda b: assert_all(["proxy-registry" in secrets(b.workload("Deployment", "proxy"))]),
    ),
    Row(
        "scheduling.userScheduler.image.pullSecrets",
        "imagePullSecrets of the user scheduler's pods (scheduling/user-scheduler/deployment.yaml)",
        lambda b: assert_all(["scheduler-registry" in secrets(b.workload("Deployment", "user-scheduler"))]),
    ),
    Row(
        "scheduling.userPlaceholder.image.pullSecrets",
        "imagePullSecrets of the placeholders (scheduling/user-placeholder/statefulset.yaml)",
        lambda b: assert_all(["pause-registry" in secrets(b.workload("StatefulSet", "user-placeholder"))]),
    ),
    Row(
        "prePuller.hook.image.pullSecrets",
        "imagePullSecrets of the hook's pod that waits for the pulls (image-puller/job.yaml); here the awaiter Job",
        lambda b: assert_all(["awaiter-registry" in secrets(b.workload("Job", "image-awaiter"))]),
    ),
    Row(
        "prePuller.pause.image.pullSecrets",
        "imagePullSecrets of the pullers, which run the pause image (image-puller/_helpers-daemonset.tpl)",
        lambda b: assert_all("puller-registry" in secrets(spec) for spec in b.pullers()),
    ),
    Row(
        "singleuser.image.pullSecrets",
        "imagePullSecrets of user pods (KubeSpawner.image_pull_secrets) and of the pullers",
        lambda b: assert_all(
            "user-registry" in secrets(spec) for spec in [*(p["spec"] for p in b.pods.values()), *b.pullers()]
        ),
    ),
    # --- the home on existing storage (jupyterhub_config.py, storage_type == "static")
    Row(
        "singleuser.storage.type",
        "static: no PVC per user, the home volume is an existing claim",
        lambda b: assert_all(["persistentVolumeClaim" in b.mount("cpu", "/home/jovyan")[1]]),
    ),
    Row(
        "singleuser.storage.static.pvcName",
        "volumes.home.persistentVolumeClaim.claimName",
        lambda b: assert_all([b.mount("cpu", "/home/jovyan")[1]["persistentVolumeClaim"]["claimName"] == "nfs-homes"]),
    ),
    Row(
        "singleuser.storage.static.subPath",
        "the home mount's subPath, {username} filled in by KubeSpawner",
        lambda b: assert_all([b.mount("cpu", "/home/jovyan")[0]["subPath"] == f"homes/{USER}"]),
    ),
    Row(
        "singleuser.storage.homeMountPath",
        "the home mount's mountPath",
        lambda b: assert_all([b.mount("gpu", VALUES["singleuser"]["storage"]["homeMountPath"])[0]["name"] == "home"]),
    ),
    # --- extra volumes (jupyterhub_config.py: volumes and volume_mounts dicts)
    Row("singleuser.storage.extraVolumes", "volumes: each source as written", _check_extra_volumes),
    Row(
        "singleuser.storage.extraVolumeMounts",
        "the notebook's volumeMounts: mountPath, subPath, readOnly",
        _check_extra_volumes,
    ),
    # --- files (jupyterhub_config.py: a volume "files" from the singleuser Secret, one mount per file)
    Row(
        "singleuser.extraFiles",
        "a mount at mountPath with subPath <key>, the file rendered as JSON by its extension (a Secret there)",
        lambda b: _check_files(
            b,
            b.spec("cpu"),
            "/etc/jupyter/jupyter_server_config.json",
            "server-config",
            json.dumps(VALUES["singleuser"]["extraFiles"]["server-config"]["data"], indent=2),
        ),
    ),
    Row(
        "hub.extraFiles",
        "a mount of the hub's container at mountPath with subPath <key> (hub/deployment.yaml)",
        lambda b: _check_files(
            b,
            b.workload("Deployment", "hub"),
            "/usr/local/etc/jupyterhub-files/announcement.txt",
            "announcement",
            VALUES["hub"]["extraFiles"]["announcement"]["stringData"],
        ),
    ),
    # --- containers, identity, command, labels, hooks (jupyterhub_config.py: KubeSpawner traits)
    Row(
        "singleuser.initContainers",
        "initContainers: name, image, command, volumeMounts",
        lambda b: assert_all(
            [
                b.container("cpu", "list-datasets")["image"] == "registry.example.org/lab/tools:1.0",
                b.container("cpu", "list-datasets")["command"] == ["sh", "-c", "ls /datasets"],
                b.container("cpu", "list-datasets")["volumeMounts"][0]["mountPath"] == "/datasets",
            ]
        ),
    ),
    Row(
        "singleuser.extraContainers",
        "containers after the notebook: name, image, args ({username} filled in), env with secretKeyRef, resources",
        lambda b: assert_all(
            [
                b.container("cpu", "relay")["args"] == ["--user", USER],
                env(b.container("cpu", "relay"))["TOKEN"]["valueFrom"]
                == {"secretKeyRef": {"name": "relay-token", "key": "token"}},
                env(b.container("cpu", "relay"))["MODE"]["value"] == "plain",
                b.container("cpu", "relay")["resources"]["limits"] == {"cpu": "200m", "memory": "128Mi"},
            ]
        ),
    ),
    Row(
        "singleuser.serviceAccountName",
        "serviceAccountName, its token mounted (KubeSpawner mounts it when a service account is set)",
        lambda b: assert_all(
            [
                b.spec("cpu")["serviceAccountName"] == "notebook-identity",
                b.spec("cpu").get("automountServiceAccountToken") in (None, True),
            ]
        ),
    ),
    Row(
        "singleuser.cmd",
        "the notebook's args (KubeSpawner passes cmd as args, behind the image's entrypoint)",
        lambda b: assert_all([b.container("gpu", "notebook")["args"] == ["jupyterhub-singleuser"]]),
    ),
    Row(
        "singleuser.extraLabels",
        "metadata.labels of user pods",
        lambda b: assert_all([b.pods["cpu"]["metadata"]["labels"]["example.org/team"] == "physics"]),
    ),
    Row(
        "singleuser.lifecycleHooks",
        "the notebook's lifecycle",
        lambda b: assert_all(
            [b.container("cpu", "notebook")["lifecycle"]["postStart"]["exec"]["command"] == ["sh", "-c", "echo ready"]]
        ),
    ),
    # --- profiles (KubeSpawner profile_list: each kubespawner_override on the profile's pods)
    Row(
        PROFILE.format(0, "environment"),
        "the notebook's env",
        lambda b: assert_all([env(b.container("cpu", "notebook"))["STAGE"]["value"] == "cpu"]),
    ),
    Row(
        PROFILE.format(0, "node_selector"),
        "nodeSelector",
        lambda b: assert_all([b.spec("cpu")["nodeSelector"]["example.org/pool"] == "general"]),
    ),
    Row(
        PROFILE.format(0, "tolerations"),
        "tolerations",
        lambda b: assert_all([_override(0, "tolerations")[0] in b.spec("cpu")["tolerations"]]),
    ),
    Row(
        PROFILE.format(0, "default_url"),
        "the notebook's JUPYTERHUB_DEFAULT_URL",
        lambda b: assert_all(
            [env(b.container("cpu", "notebook"))["JUPYTERHUB_DEFAULT_URL"]["value"] == "/lab/tree/cpu"]
        ),
    ),
    Row(
        PROFILE.format(0, "extra_labels"),
        "metadata.labels",
        lambda b: assert_all([b.pods["cpu"]["metadata"]["labels"]["example.org/size"] == "small"]),
    ),
    Row(
        PROFILE.format(0, "cmd"),
        "the notebook's args, then the profile's args",
        lambda b: assert_all(
            [b.container("cpu", "notebook")["args"] == ["jupyterhub-singleuser", "--ServerApp.terminals_enabled=False"]]
        ),
    ),
    Row(
        PROFILE.format(0, "args"),
        "the notebook's args after the command",
        lambda b: assert_all([b.container("cpu", "notebook")["args"][-1] == "--ServerApp.terminals_enabled=False"]),
    ),
    Row(
        "singleuser.profileList[0].profile_options.image.choices",
        "the notebook's image of the chosen choice (the default's without a choice)",
        lambda b: assert_all(
            [
                b.container("cpu", "notebook")["image"] == "registry.example.org/lab/scipy:2025.03",
                b.container("cpu-r", "notebook")["image"] == "registry.example.org/lab/r:2025.03",
            ]
        ),
    ),
    Row(
        "singleuser.profileList[0].profile_options.image.unlisted_choice",
        "the notebook's image as the user typed it ({value})",
        lambda b: assert_all([b.container("cpu-typed", "notebook")["image"] == TYPED_IMAGE]),
    ),
    Row(
        PROFILE.format(1, "image"),
        "the notebook's image",
        lambda b: assert_all([b.container("gpu", "notebook")["image"] == "registry.example.org/lab/pytorch:2.5"]),
    ),
    Row(
        PROFILE.format(1, "extra_resource_limits"),
        "the notebook's resources.limits",
        lambda b: assert_all(
            [
                b.container("gpu", "notebook")["resources"]["limits"]["nvidia.com/gpu"] == 1,
                b.container("gpu", "notebook")["resources"]["limits"]["xilinx.com/fpga"] == 1,
            ]
        ),
    ),
    Row(
        PROFILE.format(1, "node_selector"),
        "nodeSelector",
        lambda b: assert_all([b.spec("gpu")["nodeSelector"]["nvidia.com/gpu.present"] == "true"]),
    ),
    Row(
        PROFILE.format(1, "tolerations"),
        "tolerations",
        lambda b: assert_all([_override(1, "tolerations")[0] in b.spec("gpu")["tolerations"]]),
    ),
    Row(
        PROFILE.format(1, "lifecycle_hooks"),
        "the notebook's lifecycle",
        lambda b: assert_all(
            [b.container("gpu", "notebook")["lifecycle"]["postStart"]["exec"]["command"] == ["sh", "-c", "echo gpu"]]
        ),
    ),
    Row(
        PROFILE.format(1, "init_containers"),
        "initContainers",
        lambda b: assert_all([b.container("gpu", "warm-cache")["image"] == "registry.example.org/lab/warm:1.0"]),
    ),
    Row(
        PROFILE.format(1, "extra_containers"),
        "containers after the notebook",
        lambda b: assert_all([b.container("gpu", "gpu-exporter")["image"] == "registry.example.org/lab/exporter:0.3"]),
    ),
    Row(
        PROFILE.format(1, "volumes"),
        "volumes (merged with every server's: the chart's are a map)",
        lambda b: assert_all(
            [b.mount("gpu", "/home/jovyan/models")[1]["persistentVolumeClaim"]["claimName"] == "models"]
        ),
    ),
    Row(
        PROFILE.format(1, "volume_mounts"),
        "the notebook's volumeMounts",
        lambda b: assert_all(
            [b.mount("gpu", "/home/jovyan/models")[0]["name"] == "models", b.mount("gpu", "/home/jovyan/datasets")]
        ),
    ),
]


def assert_all(results) -> None:
    results = list(results)
    assert results and all(results)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    folder = tmp_path_factory.mktemp("imported")
    objects = synth_objects(render(migrate(VALUES, "jupyterhub")), folder, "imported")
    config = load_hub_config(hub_config_text(objects), folder)
    return Built(objects, {name: user_pod(config, options, USER) for name, options in SELECTIONS.items()})


def _set(values: dict, key: str) -> bool:
    node = values
    for part in key.replace("[", ".").replace("]", "").split("."):
        node = node[int(part)] if isinstance(node, list) else node.get(part) if isinstance(node, dict) else None
        if node is None:
            return False
    return True


@pytest.mark.parametrize("row", TABLE, ids=lambda row: row.key)
def test_each_chart_key_makes_the_pod_field_the_chart_makes(row: Row, built: Built):
    assert _set(VALUES, row.key), f"{row.key} is not in {VALUES_FILE.name}: the row proves nothing"
    row.check(built)


def test_every_user_pod_key_is_carried_over_and_only_the_password_is_not():
    """Nothing of the table is reported unmapped; only the registry credentials a values file should not hold."""
    migration = migrate(VALUES, "jupyterhub")
    assert sorted(key for key, _ in migration.unmapped) == ["imagePullSecret.password", "imagePullSecret.username"]
    assert "do-not-put-me-here" not in render(migration)
