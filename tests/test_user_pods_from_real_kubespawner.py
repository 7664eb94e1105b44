"""Every profile of every environment, built into a pod by the real KubeSpawner, is what the config says.

Expected values are derived here from the config model, independently of
how singleuser.py renders them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import kubernetes_validate
import pytest
from kubernetes_validate.utils import all_versions
from support.pod_security import violations
from support.synthesis import ENVIRONMENTS, ROOT, dist_objects, environment, find, hub_config_text, synth_objects
from support.user_pods import load_hub_config, selections, spawn_form, user_pod

from jupyterhub_cdk8s.config.loader import load_file
from jupyterhub_cdk8s.config.resources import byte_count, parse_quantity
from jupyterhub_cdk8s.config.singleuser import SingleuserSettings

pytestmark = pytest.mark.real

K8S_VERSIONS = (all_versions()[0], all_versions()[-1])
USER = "alice"


def expected_level(singleuser: SingleuserSettings) -> str:
    root = singleuser.grant_sudo or any(v.fix_ownership for v in singleuser.storage.shared_volumes)
    return "baseline" if root else "restricted"


def chosen(singleuser: SingleuserSettings, options: dict):
    """The profile and, per kind, the value chosen (defaults filled in)."""
    profile = next((p for p in singleuser.profiles if p.slug == options.get("profile")), None)
    values = {}
    if profile:
        for key, option in profile.options.items():
            values[option.kind] = option.choices[options.get(key, option.default)].value
    return profile, values


def check_pod(pod: dict, singleuser: SingleuserSettings, options: dict, config, objects: list[dict]) -> None:
    for version in K8S_VERSIONS:
        kubernetes_validate.validate(pod, version, strict=True)
    level = expected_level(singleuser)
    assert violations(pod["spec"], level, pod["metadata"].get("annotations")) == []
    if level == "baseline":  # the lowered level is real, not a label
        assert violations(pod["spec"], "restricted", pod["metadata"].get("annotations"))

    profile, values = chosen(singleuser, options)
    notebook = pod["spec"]["containers"][0]
    # Image and resources
    assert notebook["image"] == (values.get("image") or (profile and profile.image) or singleuser.image)
    cpu = (profile and profile.cpu) or singleuser.cpu
    memory = (profile and profile.memory) or singleuser.memory
    cpu_limit = parse_quantity(str(values.get("cpu", cpu.limit)))
    memory_limit = byte_count(str(values.get("memory", memory.limit)))
    limits, requests = notebook["resources"]["limits"], notebook["resources"]["requests"]
    assert float(limits["cpu"]) == float(cpu_limit)
    assert float(requests["cpu"]) == min(float(parse_quantity(cpu.guarantee)), float(cpu_limit))
    assert int(limits["memory"]) == memory_limit
    assert int(requests["memory"]) == min(byte_count(memory.guarantee), memory_limit)
    # GPUs, tolerations and node selection
    gpus = values.get("gpu", profile.gpus if profile else 0)
    selector = pod["spec"].get("nodeSelector") or {}
    tolerations = pod["spec"].get("tolerations") or []
    if gpus:
        gpu_nodes = singleuser.gpu_nodes
        assert limits[gpu_nodes.resource] == gpus
        assert gpu_nodes.node_selector.items() <= selector.items()
        for toleration in gpu_nodes.tolerations:
            assert {k: v for k, v in toleration.model_dump().items() if v is not None} in tolerations
    else:
        assert not any("gpu" in key for key in limits)
        assert not any("gpu" in str(t) for t in tolerations)
    if "node" in values:
        assert selector["kubernetes.io/hostname"] == values["node"]
    # Environment: plain values, and credentials only as secretKeyRef
    env = {item["name"]: item for item in notebook["env"]}
    for name, value in singleuser.extra_env.items():
        assert env[name]["value"] == value
    for service in config.platform_services.services:
        for role, ref in service.credentials.items():
            assert env[service.variable(role)] == {
                "name": service.variable(role),
                "valueFrom": {"secretKeyRef": {"name": ref.name, "key": ref.key}},
            }
    if singleuser.grant_sudo:
        assert env["GRANT_SUDO"]["value"] == "yes"
    else:
        assert "GRANT_SUDO" not in env
    # Mounts
    mounts = {m["mountPath"]: m for m in notebook["volumeMounts"]}
    storage = singleuser.storage
    expected_paths = {v.mount_path for v in storage.shared_volumes}
    if storage.type == "dynamic":
        expected_paths.add(storage.home_mount_path)
    if storage.scratch:
        expected_paths.add(storage.scratch.mount_path)
        scratch = next(v for v in pod["spec"]["volumes"] if v["name"] == mounts[storage.scratch.mount_path]["name"])
        assert byte_count(scratch["emptyDir"]["sizeLimit"]) == byte_count(storage.scratch.size_limit)
    if storage.examples:
        expected_paths.add(storage.examples.mount_path)
    helper = config.platform_services.helper_module and (
        config.platform_services.services or config.platform_services.spark.enabled
    )
    if helper:
        expected_paths.add("/opt/platform-services")
        assert env["PYTHONPATH"]["value"] == "/opt/platform-services"
    assert set(mounts) == expected_paths
    claims = {
        v["name"]: v["persistentVolumeClaim"]["claimName"]
        for v in pod["spec"]["volumes"]
        if "persistentVolumeClaim" in v
    }
    for volume in storage.shared_volumes:
        mount = mounts[volume.mount_path]
        assert mount.get("subPath") == (volume.sub_path.replace("{username}", USER) if volume.sub_path else None)
        claim = find(objects, "PersistentVolumeClaim", claims[mount["name"]])
        assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
        assert byte_count(claim["spec"]["resources"]["requests"]["storage"]) == byte_count(volume.capacity)
        assert claim["metadata"]["annotations"]["argocd.argoproj.io/sync-options"] == "Prune=false,Delete=false"
    # Init containers
    init = {c["name"]: c for c in pod["spec"].get("initContainers") or []}
    layout = [v for v in storage.shared_volumes if v.sub_path or v.fix_ownership]
    assert set(init) == ({"prepare-layout"} if layout else set()) | ({"clone-examples"} if storage.examples else set())
    if layout:
        script = init["prepare-layout"]["command"][-1]
        for volume in layout:
            directory = f"/layout/{volume.name}" + (
                f"/{volume.sub_path.replace('{username}', USER)}" if volume.sub_path else ""
            )
            assert directory in script
            assert (f"chown {singleuser.uid}:{singleuser.fs_gid} " in script) == any(v.fix_ownership for v in layout)
        added = init["prepare-layout"]["securityContext"]["capabilities"].get("add")
        assert added == (["CHOWN"] if any(v.fix_ownership for v in layout) else None)
    if storage.examples:
        clone = init["clone-examples"]
        assert clone["image"] == storage.examples.image
        assert storage.examples.url in clone["command"]
        assert clone["securityContext"]["runAsUser"] == singleuser.uid
    # Lifecycle hooks
    hooks = notebook.get("lifecycle") or {}
    if singleuser.lifecycle.post_start:
        assert hooks["postStart"]["exec"]["command"] == singleuser.lifecycle.post_start
    else:
        assert "postStart" not in hooks


CASES = [
    (env, options)
    for env in ENVIRONMENTS
    for options in selections(load_file(ROOT / "environments" / f"{env}.yaml", env).config.singleuser)
]


@pytest.mark.parametrize(
    ("env", "options"), CASES, ids=[f"{e}-{'-'.join(map(str, o.values())) or 'default'}" for e, o in CASES]
)
def test_every_profile_of_every_environment(env: str, options: dict, tmp_path: Path):
    config = load_file(ROOT / "environments" / f"{env}.yaml", env).config
    objects = dist_objects(env)
    pod = user_pod(load_hub_config(hub_config_text(objects), tmp_path), options, USER)
    check_pod(pod, config.singleuser, options, config, objects)


EVERYTHING = """
namespace: hub-test
host: hub.example.com
auth:
  type: shared-password
  password_secret: {name: hub-password, key: password}
  allowed_users: [alice]
singleuser:
  grant_sudo: true
  lifecycle: {post_start: [sh, -c, echo started]}
  gpu_nodes:
    node_selector: {accelerator: a100}
    tolerations: [{key: gpu, operator: Equal, value: "yes", effect: NoExecute}]
  storage:
    shared_volumes:
      - name: team
        mount_path: /home/jovyan/team
        sub_path: "teams/{username}"
        capacity: 5Gi
        storage_class: nfs-client
    scratch: {mount_path: /tmp/scratch, size_limit: 2Gi}
  profiles:
    - display_name: Small
      slug: small
      default: true
      options:
        image:
          kind: image
          display_name: Image
          default: scipy
          choices:
            scipy: {display_name: SciPy, value: "quay.io/jupyter/scipy-notebook:2024-12-02"}
            r: {display_name: R, value: "quay.io/jupyter/r-notebook:2024-12-02"}
        node:
          kind: node
          display_name: Node
          default: a
          choices:
            a: {display_name: Node A, value: worker-a}
            b: {display_name: Node B, value: worker-b}
    - display_name: GPU
      slug: gpu
      gpus: 2
      cpu: {guarantee: 500m, limit: "3"}
      memory: {guarantee: 3Gi, limit: 6Gi}
      options:
        memory:
          kind: memory
          display_name: Memory
          default: big
          choices:
            small: {display_name: 2 GiB, value: 2Gi}
            big: {display_name: 12 GiB, value: 12Gi}
platform_services:
  services:
    - name: warehouse
      kind: postgresql
      host: pg.databases
      port: 5432
      target_port: 15432
      credentials: {password: {name: pg, key: password}, user: {name: pg, key: user}}
  spark: {enabled: true, executors: true, api_server_cidrs: [10.96.0.1/32]}
# The GPU profile's 2 GPUs must fit the namespace's GPU quota (0 by default).
quota: {gpus: 2}
"""


@pytest.mark.parametrize(
    "options",
    [{}, {"profile": "small", "image": "r", "node": "b"}, {"profile": "gpu"}, {"profile": "gpu", "memory": "small"}],
    ids=["default", "small-r-b", "gpu", "gpu-small-memory"],
)
def test_every_kind_of_option_sudo_and_spark(options: dict, tmp_path: Path):
    env = environment(EVERYTHING, tmp_path)
    objects = synth_objects(EVERYTHING, tmp_path)
    pod = user_pod(load_hub_config(hub_config_text(objects), tmp_path), options, USER)
    check_pod(pod, env.config.singleuser, options or {"profile": "small"}, env.config, objects)
    # Spark executors: the pod's own identity, its token, and its IP for executors to call back.
    assert pod["spec"]["serviceAccountName"] == "jupyterhub-singleuser-spark"
    assert pod["spec"]["automountServiceAccountToken"] is True
    env_vars = {item["name"]: item for item in pod["spec"]["containers"][0]["env"]}
    assert env_vars["SPARK_DRIVER_HOST"]["valueFrom"] == {"fieldRef": {"fieldPath": "status.podIP"}}


def test_default_environment_has_one_kind_of_server_and_restricted_pods(tmp_path: Path):
    text = hub_config_text(dist_objects("default"))
    assert "profile_list" not in text
    pod = user_pod(load_hub_config(text, tmp_path), {}, USER)
    assert violations(pod["spec"], "restricted", pod["metadata"].get("annotations")) == []
    assert pod["spec"]["automountServiceAccountToken"] is False
    assert re.fullmatch(r"jupyterhub-alice", pod["metadata"]["name"])


class FormFields(HTMLParser):
    """Radio buttons and drop-downs of the spawn form: field name -> values offered."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select:
            self.fields.setdefault(self._select, []).append(attrs["value"])
        elif tag == "input" and attrs.get("type") == "radio":
            self.fields.setdefault(attrs["name"], []).append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def test_thinkube_spawn_form_offers_every_profile_and_choice_and_its_submission_builds_the_pod(tmp_path: Path):
    config = load_file(ROOT / "environments" / "thinkube.yaml", "thinkube").config
    hub_config = load_hub_config(hub_config_text(dist_objects("thinkube")), tmp_path)
    # The user picks the GPU profile with 2 GPUs, as the browser would submit it.
    submitted = {"profile": ["ml-gpu"], "profile-option-ml-gpu--gpu": ["2"]}
    form, options = spawn_form(hub_config, submitted, USER)
    parser = FormFields()
    parser.feed(form)
    assert parser.fields["profile"] == [p.slug for p in config.singleuser.profiles]
    for profile in config.singleuser.profiles:
        for key, option in profile.options.items():
            assert parser.fields[f"profile-option-{profile.slug}--{key}"] == list(option.choices)
    assert options == {"profile": "ml-gpu", "gpu": "2"}
    pod = user_pod(hub_config, options, USER)
    assert pod["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == 2
    check_pod(pod, config.singleuser, options, config, dist_objects("thinkube"))


BLOCK_METADATA = """
namespace: hub-test
host: hub.example.com
auth:
  type: shared-password
  password_secret: {name: hub-password, key: password}
  allowed_users: [alice]
singleuser:
  cloud_metadata: {block_with_iptables: true}
pod_security: {enforce: privileged}
"""


def test_the_metadata_blocker_runs_first_in_every_user_pod_and_is_pre_pulled(tmp_path: Path):
    """For CNIs that ignore NetworkPolicy: the Helm chart's iptables init container (issue 15, finding 9)."""
    objects = synth_objects(BLOCK_METADATA, tmp_path)
    pod = user_pod(load_hub_config(hub_config_text(objects), tmp_path), {}, USER)
    for version in K8S_VERSIONS:
        kubernetes_validate.validate(pod, version, strict=True)
    blocker = pod["spec"]["initContainers"][0]
    assert blocker["name"] == "block-cloud-metadata"
    assert blocker["image"] == "quay.io/jupyterhub/k8s-network-tools:4.4.0"
    assert blocker["command"] == [
        "iptables",
        "--append",
        "OUTPUT",
        "--destination",
        "169.254.169.254",
        "--jump",
        "DROP",
    ]
    assert blocker["securityContext"]["capabilities"] == {"add": ["NET_ADMIN"]}
    # Below baseline: hence refused unless the namespace enforces privileged.
    assert "privileged" in " ".join(violations(pod["spec"], "baseline", pod["metadata"].get("annotations")))
    # The user's own container stays as it was.
    assert violations({**pod["spec"], "initContainers": []}, "restricted", pod["metadata"].get("annotations")) == []
    pullers = [o for o in objects if o["kind"] == "DaemonSet"]
    assert pullers and all(
        blocker["image"] in [c["image"] for c in p["spec"]["template"]["spec"]["initContainers"]] for p in pullers
    )
