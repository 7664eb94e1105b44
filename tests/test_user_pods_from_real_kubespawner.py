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
from support.synthesis import (
    ENVIRONMENTS,
    MINIMAL,
    ROOT,
    dist_objects,
    environment,
    find,
    hub_config_text,
    synth_objects,
)
from support.user_pods import load_hub_config, selections, spawn_form, user_pod

from jupyterhub_cdk8s.config.loader import load_file
from jupyterhub_cdk8s.config.resources import byte_count, parse_quantity
from jupyterhub_cdk8s.config.singleuser import Profile, SingleuserSettings
from jupyterhub_cdk8s.config.volumes import ExtraVolume

pytestmark = pytest.mark.real

K8S_VERSIONS = (all_versions()[0], all_versions()[-1])
USER = "alice"


def profile_of(singleuser: SingleuserSettings, options: dict) -> Profile | None:
    return next((p for p in singleuser.profiles if p.slug == options.get("profile")), None)


def pod_volumes(singleuser: SingleuserSettings, profile: Profile | None) -> list[ExtraVolume]:
    return [*singleuser.storage.extra_volumes, *(profile.volumes if profile else [])]


def expected_level(singleuser: SingleuserSettings, profile: Profile | None) -> str:
    storage = singleuser.storage
    root = (
        singleuser.grant_sudo
        or any(v.fix_ownership for v in storage.shared_volumes)
        or (storage.type != "none" and storage.fix_home_ownership)
    )
    nfs = any(v.nfs for v in pod_volumes(singleuser, profile))
    return "baseline" if root or nfs else "restricted"


def chosen(singleuser: SingleuserSettings, options: dict):
    """The profile and, per kind, the value chosen (defaults filled in; a typed image wins)."""
    profile = profile_of(singleuser, options)
    values = {}
    if profile:
        for key, option in profile.options.items():
            values[option.kind] = option.choices[options.get(key, option.default)].value
            typed = options.get(f"{key}--unlisted-choice")
            if typed:
                values[option.kind] = typed
    return profile, values


def registry_path(image: str) -> str:
    """registry/repository of an image, the way container runtimes resolve short names."""
    name = image.split("@")[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    first = name.split("/")[0]
    if "/" not in name:
        return f"docker.io/library/{name}"
    return name if ("." in first or ":" in first or first == "localhost") else f"docker.io/{name}"


def needed_pull_secrets(config, images: set[str], profile: Profile | None) -> list[str]:
    """The Secrets the environment declares for these images' registries (or for images a user may type)."""
    typed = [
        prefix
        for option in (profile.options.values() if profile else [])
        if option.unlisted is not None
        for prefix in option.unlisted.repositories or [""]
    ]
    needed = []
    for secret in config.image_pull_secrets:
        for prefix in secret.registries:
            paths = [registry_path(image) for image in images]
            if any(p == prefix or p.startswith(prefix + "/") for p in paths) or any(
                t == "" or t.startswith(prefix) or prefix.startswith(t) for t in typed
            ):
                needed.append(secret.name)
                break
    return needed


def with_user(text: str) -> str:
    return text.replace("{username}", USER)


def check_pod(pod: dict, singleuser: SingleuserSettings, options: dict, config, objects: list[dict]) -> None:
    profile, values = chosen(singleuser, options)
    spec = pod["spec"]
    for version in K8S_VERSIONS:
        kubernetes_validate.validate(pod, version, strict=True)
    level = expected_level(singleuser, profile)
    assert violations(spec, level, pod["metadata"].get("annotations")) == []
    if level == "baseline":  # the lowered level is real, not a label
        assert violations(spec, "restricted", pod["metadata"].get("annotations"))

    notebook = spec["containers"][0]
    assert notebook["name"] == "notebook"
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
    for resource, count in (profile.extra_resources if profile else {}).items():
        assert limits[resource] == count
    # GPUs, tolerations and node selection: the user nodes', the profile's pool, the GPU nodes'
    gpus = values.get("gpu", profile.gpus if profile else 0)
    selector = spec.get("nodeSelector") or {}
    tolerations = spec.get("tolerations") or []
    assert config.scheduling.user_pods.node_selector.items() <= selector.items()
    assert all(t.to_kubernetes() in tolerations for t in config.scheduling.user_pods.tolerations)
    if profile:
        assert profile.node_selector.items() <= selector.items()
        assert all(t.to_kubernetes() in tolerations for t in profile.tolerations)
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
    for name, value in {**singleuser.extra_env, **(profile.environment if profile else {})}.items():
        assert env[name]["value"] == with_user(value)
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
    assert env["JUPYTERHUB_DEFAULT_URL"]["value"] == ((profile and profile.default_url) or singleuser.default_url)
    # Command, labels, identity
    command = (profile and profile.command) or singleuser.command
    args = profile.args if profile and profile.args is not None else singleuser.args
    # KubeSpawner gives the command as the container's args: the image's entrypoint (tini) stays in front.
    assert (notebook.get("command"), notebook.get("args")) == (None, [*command, *(args or [])] if command else None)
    labels = pod["metadata"]["labels"]
    wanted = {**singleuser.labels, **(profile.labels if profile else {})}
    assert {key: with_user(value) for key, value in wanted.items()}.items() <= labels.items()
    assert labels["app.kubernetes.io/component"] == "singleuser-server"
    account = singleuser.service_account
    if account:
        assert spec["serviceAccountName"] == account.name
        assert spec["automountServiceAccountToken"] is account.automount_token
    elif not config.platform_services.spark.executors:
        assert spec["automountServiceAccountToken"] is False
    # Mounts of the user's container: home, shared, existing, scratch, examples, files, helper
    mounts = {m["mountPath"]: m for m in notebook["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    storage = singleuser.storage
    expected_paths = {v.mount_path for v in storage.shared_volumes}
    expected_paths |= {v.mount_path for v in pod_volumes(singleuser, profile)}
    expected_paths |= {file.mount_path for file in singleuser.extra_files.values()}
    if storage.type != "none":
        expected_paths.add(storage.home_mount_path)
        home = mounts[storage.home_mount_path]
        claim = volumes[home["name"]]["persistentVolumeClaim"]["claimName"]
        if storage.type == "static":
            assert claim == storage.existing_claim
            assert home["subPath"] == with_user(storage.home_sub_path or "{username}")
        else:
            assert claim == f"{config.name}-claim-{USER}"
            assert home.get("subPath") == (with_user(storage.home_sub_path) if storage.home_sub_path else None)
    if storage.scratch:
        expected_paths.add(storage.scratch.mount_path)
        scratch = volumes[mounts[storage.scratch.mount_path]["name"]]
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
    for volume in pod_volumes(singleuser, profile):
        mount = mounts[volume.mount_path]
        assert mount.get("subPath") == (with_user(volume.sub_path) if volume.sub_path else None)
        assert bool(mount.get("readOnly")) == (volume.read_only or bool(volume.config_map or volume.secret))
        source = volumes[mount["name"]]
        if volume.claim:
            assert source["persistentVolumeClaim"]["claimName"] == volume.claim
        elif volume.nfs:
            assert (source["nfs"]["server"], source["nfs"]["path"]) == (volume.nfs.server, volume.nfs.path)
            assert bool(source["nfs"].get("readOnly")) == volume.read_only
        elif volume.config_map:
            assert source["configMap"]["name"] == volume.config_map
        else:
            assert source["secret"]["secretName"] == volume.secret
    for key, file in singleuser.extra_files.items():
        mount = mounts[file.mount_path]
        assert (mount["readOnly"], mount["subPath"]) == (True, key)
        config_map = find(objects, "ConfigMap", volumes[mount["name"]]["configMap"]["name"])
        stored = config_map.get("data", {}).get(mount["subPath"]) or config_map["binaryData"][mount["subPath"]]
        assert stored == (file.string_content() if file.binary is None else file.binary)
    claims = {
        v["name"]: v["persistentVolumeClaim"]["claimName"] for v in spec["volumes"] if "persistentVolumeClaim" in v
    }
    for volume in storage.shared_volumes:
        mount = mounts[volume.mount_path]
        assert mount.get("subPath") == (with_user(volume.sub_path) if volume.sub_path else None)
        claim = find(objects, "PersistentVolumeClaim", claims[mount["name"]])
        assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
        assert byte_count(claim["spec"]["resources"]["requests"]["storage"]) == byte_count(volume.capacity)
        assert claim["metadata"]["annotations"]["argocd.argoproj.io/sync-options"] == "Prune=false,Delete=false"
    # Init containers, in the order they run: layout and examples, every server's, the profile's
    init = [c["name"] for c in spec.get("initContainers") or []]
    init_by_name = {c["name"]: c for c in spec.get("initContainers") or []}
    layout = storage.prepared_volumes()
    own = [c.name for c in singleuser.init_containers] + [c.name for c in (profile.init_containers if profile else [])]
    assert init == (["prepare-layout"] if layout else []) + (["clone-examples"] if storage.examples else []) + own
    if layout:
        script = init_by_name["prepare-layout"]["command"][-1]
        for prepared in layout:
            directory = f"/layout/{prepared.volume}" + (f"/{with_user(prepared.sub_path)}" if prepared.sub_path else "")
            assert directory in script
            assert (f"chown {singleuser.uid}:{singleuser.fs_gid} {directory}" in script.replace("'", "")) == (
                prepared.fix_ownership
            )
        added = init_by_name["prepare-layout"]["securityContext"]["capabilities"].get("add")
        assert added == (["CHOWN"] if any(v.fix_ownership for v in layout) else None)
    if storage.examples:
        clone = init_by_name["clone-examples"]
        assert clone["image"] == storage.examples.image
        assert storage.examples.url in clone["command"]
        assert clone["securityContext"]["runAsUser"] == singleuser.uid
    # Sidecars and the user's init containers: as configured, running as the user, credentials by reference
    sidecars = [*singleuser.sidecars, *(profile.sidecars if profile else [])]
    assert sorted(c["name"] for c in spec["containers"][1:]) == sorted(c.name for c in sidecars)
    built = {c["name"]: c for c in spec["containers"]} | init_by_name
    for container in [*sidecars, *singleuser.init_containers, *(profile.init_containers if profile else [])]:
        rendered = built[container.name]
        assert rendered["image"] == container.image
        assert rendered.get("command") == (
            [with_user(part) for part in container.command] if container.command else None
        )
        assert rendered["securityContext"]["runAsUser"] == singleuser.uid
        assert rendered["securityContext"]["runAsNonRoot"] is True
        rendered_env = {item["name"]: item for item in rendered.get("env") or []}
        for name, value in container.env.items():
            if isinstance(value, str):
                assert rendered_env[name]["value"] == with_user(value)
            else:
                assert rendered_env[name]["valueFrom"] == {"secretKeyRef": {"name": value.name, "key": value.key}}
        for mount in container.volume_mounts:
            placed = next(m for m in rendered["volumeMounts"] if m["mountPath"] == mount.mount_path)
            assert placed["name"] == mount.volume and placed["name"] in volumes
            if mount.volume == "home" and storage.home_directory:
                # A container's home is the user's home directory, never the root of a shared claim.
                assert placed["subPath"].startswith(with_user(storage.home_directory))
    # Private registries: exactly the Secrets of the registries the pod's images come from
    images = {c["image"] for c in spec["containers"] + (spec.get("initContainers") or [])}
    pulled_with = [secret["name"] for secret in spec.get("imagePullSecrets") or []]
    assert pulled_with == needed_pull_secrets(config, images, profile)
    # Lifecycle hooks: the profile's replace every server's, hook by hook
    hooks = notebook.get("lifecycle") or {}
    lifecycle = singleuser.lifecycle
    post_start = (profile and profile.lifecycle and profile.lifecycle.post_start) or lifecycle.post_start
    if post_start:
        assert hooks["postStart"]["exec"]["command"] == post_start
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


EVERYTHING = (
    MINIMAL
    + """
image_pull_secrets:
  - {name: lab-registry, registries: [registry.example.org/lab]}
  - {name: hub-mirror, registries: [docker.io]}
singleuser:
  grant_sudo: true
  command: [jupyterhub-singleuser]
  args: [--ServerApp.terminals_enabled=True]
  labels: {example.org/team: physics, example.org/user: "{username}"}
  lifecycle: {post_start: [sh, -c, echo started]}
  gpu_nodes:
    node_selector: {accelerator: a100}
    tolerations: [{key: gpu, operator: Equal, value: "yes", effect: NoExecute}]
  storage:
    home_sub_path: home
    shared_volumes:
      - name: team
        mount_path: /home/jovyan/team
        sub_path: "teams/{username}"
        capacity: 5Gi
        storage_class: nfs-client
    extra_volumes:
      - {name: datasets, mount_path: /home/jovyan/datasets, claim: datasets, read_only: true, sub_path: curated}
      - {name: certs, mount_path: /etc/ssl/lab, secret: lab-certs}
      - {name: settings, mount_path: /etc/lab, config_map: lab-settings}
    scratch: {mount_path: /tmp/scratch, size_limit: 2Gi}
  extra_files:
    server-config:
      mount_path: /etc/jupyter/jupyter_server_config.json
      data: {ServerApp: {terminals_enabled: false}}
    motd: {mount_path: /etc/motd, text: "Welcome, {username}\n", mode: 0444}
    logo: {mount_path: /opt/lab/logo.png, binary: iVBORw0KGgo=}
  init_containers:
    - name: who
      image: registry.example.org/lab/tools:1.0
      command: [sh, -c, "echo {username} > /work/who"]
      volume_mounts: [{volume: scratch, mount_path: /work}]
  sidecars:
    - name: relay
      image: registry.example.org/lab/relay:2.1
      args: [--user, "{username}"]
      env: {TOKEN: {name: relay-token, key: token}, MODE: plain}
      volume_mounts: [{volume: home, mount_path: /data, read_only: true}]
  profiles:
    - display_name: Small
      slug: small
      default: true
      default_url: /lab/tree/small
      environment: {STAGE: small}
      labels: {example.org/size: small}
      options:
        image:
          kind: image
          display_name: Image
          default: scipy
          choices:
            scipy: {display_name: SciPy, value: "quay.io/jupyter/scipy-notebook:2024-12-02"}
            r: {display_name: R, value: "quay.io/jupyter/r-notebook:2024-12-02"}
          unlisted: {display_name: Any image}
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
      image: registry.example.org/lab/pytorch:2.5
      command: [start-gpu.sh]
      node_selector: {example.org/pool: gpu}
      tolerations: [{key: example.org/pool, operator: Exists, effect: NoSchedule}]
      volumes:
        - {name: models, mount_path: /home/jovyan/models, nfs: {server: 10.0.0.5, path: /models}, read_only: true}
      lifecycle: {post_start: [sh, -c, echo gpu]}
      init_containers: [{name: warm, image: "registry.example.org/lab/warm:1"}]
      sidecars: [{name: exporter, image: "registry.example.org/lab/exporter:0.3"}]
      extra_resources: {example.com/fpga: 1}
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
)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"profile": "small", "image": "r", "node": "b"},
        {"profile": "small", "image--unlisted-choice": "ghcr.io/someone/own-image:1.2"},
        {"profile": "gpu"},
        {"profile": "gpu", "memory": "small"},
    ],
    ids=["default", "small-r-b", "small-typed-image", "gpu", "gpu-small-memory"],
)
def test_every_kind_of_setting_option_sudo_and_spark(options: dict, tmp_path: Path):
    env = environment(EVERYTHING, tmp_path)
    objects = synth_objects(EVERYTHING, tmp_path)
    pod = user_pod(load_hub_config(hub_config_text(objects), tmp_path), options, USER)
    check_pod(pod, env.config.singleuser, options or {"profile": "small"}, env.config, objects)
    # Spark executors: the pod's own identity, its token, and its IP for executors to call back.
    assert pod["spec"]["serviceAccountName"] == "jupyterhub-singleuser-spark"
    assert pod["spec"]["automountServiceAccountToken"] is True
    env_vars = {item["name"]: item for item in pod["spec"]["containers"][0]["env"]}
    assert env_vars["SPARK_DRIVER_HOST"]["valueFrom"] == {"fieldRef": {"fieldPath": "status.podIP"}}


STATIC_HOMES = (
    MINIMAL
    + """
singleuser:
  service_account: {name: notebook-identity, automount_token: true}
  storage:
    type: static
    existing_claim: nfs-homes
    home_sub_path: "users/{username}"
    fix_home_ownership: true
  sidecars:
    - name: backup
      image: quay.io/jupyter/base-notebook:2025-01-06
      volume_mounts: [{volume: home, mount_path: /backup}]
"""
)


def test_homes_on_an_existing_claim_with_an_identity_of_their_own(tmp_path: Path):
    env = environment(STATIC_HOMES, tmp_path)
    objects = synth_objects(STATIC_HOMES, tmp_path)
    pod = user_pod(load_hub_config(hub_config_text(objects), tmp_path), {}, USER)
    check_pod(pod, env.config.singleuser, {}, env.config, objects)
    spec = pod["spec"]
    home = next(v for v in spec["volumes"] if v["name"] == "home")
    assert home == {"name": "home", "persistentVolumeClaim": {"claimName": "nfs-homes"}}
    backup = next(c for c in spec["containers"] if c["name"] == "backup")
    # The user's own home, not the claim of everyone's (and not a directory below it: see test_user_pod_settings).
    assert backup["volumeMounts"] == [{"name": "home", "mountPath": "/backup", "subPath": "users/alice"}]
    layout = spec["initContainers"][0]["command"][-1].replace("'", "")
    assert "mkdir -p /layout/home/users/alice" in layout and "chown 1000:100 /layout/home/users/alice" in layout
    # Nothing in the cluster is created for the homes: no PVC object, no PVC created by KubeSpawner.
    assert not [o for o in objects if o["kind"] == "PersistentVolumeClaim" and "claim" in o["metadata"]["name"]]
    # The token was asked for: user pods may reach the API server with it.
    assert any(
        o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "jupyterhub-singleuser-to-api-server" for o in objects
    )


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


BLOCK_METADATA = (
    MINIMAL
    + """
singleuser:
  cloud_metadata: {block_with_iptables: true}
pod_security: {enforce: privileged}
"""
)


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


def test_research_spawn_form_offers_a_text_field_for_an_image_and_its_submission_starts_it(tmp_path: Path):
    config = load_file(ROOT / "environments" / "research.yaml", "research").config
    hub_config = load_hub_config(hub_config_text(dist_objects("research")), tmp_path)
    typed = "registry.research.example.org/lab/my-analysis:0.3"
    # With "Other..." chosen, the form's script submits the text field in place of the drop-down.
    submitted = {"profile": ["cpu"], "profile-option-cpu--image--unlisted-choice": [typed]}
    form, options = spawn_form(hub_config, submitted, USER)
    assert 'data-name="profile-option-cpu--image--unlisted-choice"' in form
    assert '<option value="unlisted-choice">Other...</option>' in form
    assert options == {"profile": "cpu", "image--unlisted-choice": typed}
    pod = user_pod(hub_config, options, USER)
    assert pod["spec"]["containers"][0]["image"] == typed
    check_pod(pod, config.singleuser, options, config, dist_objects("research"))
    # KubeSpawner refuses an image below another repository, as the form's pattern does.
    with pytest.raises(ValueError, match="failed validation regex"):
        user_pod(hub_config, {**options, "image--unlisted-choice": "docker.io/library/alpine:3"}, USER)
