"""Registries, existing volumes, files, containers and profile overrides: every mistake refused with what to write."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support.synthesis import (
    MINIMAL,
    ROOT,
    environment,
    find,
    hub_config_text,
    refused_at_the_command_line,
    synth_objects,
)

from jupyterhub_cdk8s.config.base import valid_image
from jupyterhub_cdk8s.config.loader import load_file
from jupyterhub_cdk8s.singleuser import user_pod_notices
from jupyterhub_cdk8s.singleuser.profiles import unlisted_image_pattern

# An environment file holds at most 1 MiB (config/yaml_input.py), but an alias repeats a text at no cost.
HALF_FILE = "x" * (512 * 1024 + 1)

BAD = {
    "a pull secret for a registry no image comes from": (
        "image_pull_secrets: [{name: lab, registries: [registry.example.org]}]",
        "image_pull_secrets[0].registries[0]: no image of this environment comes from registry.example.org, so no "
        "pod would use Secret lab for it; remove it, or check the spelling against the images (e.g. "
        "quay.io/jupyterhub/k8s-singleuser-sample:4.4.0 is from quay.io/jupyterhub/k8s-singleuser-sample)",
    ),
    "a registry written as a URL": (
        "image_pull_secrets: [{name: lab, registries: ['https://registry.example.org']}]",
        "image_pull_secrets[0].registries[0]: 'https://registry.example.org' is not a registry or repository prefix",
    ),
    "a pull secret named twice": (
        "image_pull_secrets: [{name: lab, registries: [quay.io]}, {name: lab, registries: [docker.io]}]\n"
        "singleuser: {sidecars: [{name: s, image: 'busybox:1.36.1'}]}",
        "image_pull_secrets[1].name: 'lab' is named twice; merge its registries",
    ),
    "a volume mounted at the path of another": (
        """
        singleuser:
          storage:
            scratch: {mount_path: /home/jovyan/data, size_limit: 1Gi}
            extra_volumes: [{name: data, claim: data, mount_path: /home/jovyan/data}]
        """,
        "singleuser.storage.scratch.mount_path: /home/jovyan/data is already the mount path of "
        "storage.extra_volumes[0].mount_path; give each its own directory",
    ),
    "a profile's volume at the path of every server's": (
        """
        singleuser:
          storage:
            extra_volumes: [{name: data, claim: data, mount_path: /home/jovyan/data}]
          profiles:
            - display_name: A
              slug: a
              default: true
              volumes: [{name: more, nfs: {server: nfs.example.org, path: /more}, mount_path: /home/jovyan/data/}]
        """,
        "singleuser.profiles[0].volumes[0].mount_path: /home/jovyan/data/ is already the mount path of "
        "storage.extra_volumes[0].mount_path; give each its own directory",
    ),
    "a file where a volume is mounted": (
        """
        singleuser:
          storage:
            extra_volumes: [{name: conf, config_map: conf, mount_path: /etc/jupyter/conf.json}]
          extra_files:
            conf: {mount_path: /etc/jupyter/conf.json, text: "{}"}
        """,
        "singleuser.extra_files.conf.mount_path: /etc/jupyter/conf.json is already the mount path of "
        "storage.extra_volumes[0].mount_path; give each its own directory",
    ),
    "a sidecar below a home on everyone's claim": (
        """
        singleuser:
          storage: {type: static, existing_claim: homes, home_sub_path: "homes/{username}"}
          sidecars:
            - name: sync
              image: rclone/rclone:1.68.2
              volume_mounts: [{volume: home, sub_path: results, mount_path: /results}]
        """,
        "singleuser.sidecars[0].volume_mounts[0].sub_path: a directory below a home on a shared claim is found "
        "through the user's own symlinks, so a user could point it at another user's home; mount `home` whole "
        "(e.g. at /user-home) and use the directory below it in the container, e.g. /user-home/results",
    ),
    "a volume hiding the home": (
        "singleuser: {storage: {extra_volumes: [{name: all, claim: homes, mount_path: /home}]}}",
        "singleuser.storage.extra_volumes[0].mount_path: /home would hide the home directory",
    ),
    "a volume with two sources": (
        "singleuser: {storage: {extra_volumes: [{name: d, claim: d, nfs: {server: 10.0.0.5, path: /d}, "
        "mount_path: /data}]}}",
        "singleuser.storage.extra_volumes[0]: names 2 sources (claim, nfs); write exactly one of claim, nfs, "
        "config_map or secret, e.g. `claim: datasets`",
    ),
    "a volume named like one of the pod's own": (
        "singleuser: {storage: {extra_volumes: [{name: home, claim: homes, mount_path: /data}]}}",
        "singleuser.storage.extra_volumes[0].name: 'home' is the name of a volume of the user pod itself",
    ),
    "a namespace enforcing restricted with user pods that meet baseline only": (
        "pod_security: {enforce: restricted}\n"
        "singleuser: {storage: {extra_volumes: [{name: d, nfs: {server: nfs.example.org, path: /d}, mount_path: /d}]}}",
        "pod_security.enforce: restricted would refuse every user pod, which meets baseline only: nfs volumes (d) are "
        "not among the restricted level's volume types",
    ),
    "an NFS server that is no host": (
        "singleuser: {storage: {extra_volumes: [{name: d, nfs: {server: 'nfs://x', path: /d}, mount_path: /d}]}}",
        "singleuser.storage.extra_volumes[0].nfs.server: 'nfs://x' is not an NFS server",
    ),
    "files larger than a ConfigMap holds": (
        f"singleuser: {{extra_files: {{a: {{mount_path: /etc/a.txt, text: &half {HALF_FILE}}}, "
        "b: {mount_path: /etc/b.txt, text: *half}}}",
        "singleuser.extra_files: 1048578 bytes in total, above the 1048576 bytes (1 MiB) Kubernetes allows in one "
        "ConfigMap; mount large files from a volume (storage.extra_volumes) instead",
    ),
    "structured content for a file that is neither JSON nor YAML": (
        "singleuser: {extra_files: {notes: {mount_path: /etc/notes.txt, data: {a: 1}}}}",
        "singleuser.extra_files.notes.data: is written as JSON or YAML by the extension of mount_path",
    ),
    "a file with two contents": (
        "singleuser: {extra_files: {notes: {mount_path: /etc/notes.txt, text: a, binary: YQ==}}}",
        "singleuser.extra_files.notes: has 2 contents (text, binary); write one of text, data or binary",
    ),
    "two files at one path": (
        "singleuser: {extra_files: {a: {mount_path: /etc/x.txt, text: a}, b: {mount_path: /etc/x.txt, text: b}}}",
        "singleuser.extra_files.b.mount_path: /etc/x.txt is already where a is mounted; give each file its own path",
    ),
    "a hub file inside the hub's read-only config volume": (
        "hub: {extra_files: {extra: {mount_path: /usr/local/etc/jupyterhub/extra.py, text: 'x = 1'}}}",
        "hub.extra_files.extra.mount_path: /usr/local/etc/jupyterhub/extra.py is inside /usr/local/etc/jupyterhub, "
        "a read-only volume of the pod where no file can be added",
    ),
    "static homes without a claim": (
        "singleuser: {storage: {type: static}}",
        "singleuser.storage.existing_claim: type static mounts every home from an existing PVC; write its name",
    ),
    "static homes that every user would share": (
        "singleuser: {storage: {type: static, existing_claim: homes, home_sub_path: shared}}",
        "singleuser.storage.home_sub_path: 'shared' is the same directory for every user, who would share one home; "
        "include {username}",
    ),
    "a home size without a home PVC": (
        "singleuser: {storage: {type: none, capacity: 20Gi}}",
        "singleuser.storage.capacity: sizes the PVC KubeSpawner creates with type dynamic, and none has none; "
        "remove it",
    ),
    "a claim with dynamic homes": (
        "singleuser: {storage: {existing_claim: homes}}",
        "singleuser.storage.existing_claim: is only read with type static (this is dynamic); remove it",
    ),
    "a profile's pool against the user nodes' label": (
        """
        scheduling: {user_pods: {node_selector: {pool: users}}}
        singleuser:
          profiles: [{display_name: A, slug: a, default: true, node_selector: {pool: big}}]
        """,
        "singleuser.profiles[0].node_selector.pool: 'big' conflicts with scheduling.user_pods.node_selector pool: "
        "'users', which every user pod requires; a profile can only add labels",
    ),
    "a GPU profile's pool against the GPU nodes' label": (
        """
        quota: {gpus: 1}
        singleuser:
          gpu_nodes:
            node_selector: {accelerator: a100}
            tolerations: [{key: gpu, operator: Exists}]
          profiles: [{display_name: A, slug: a, default: true, gpus: 1, node_selector: {accelerator: t4}}]
        """,
        "singleuser.profiles[0].node_selector.accelerator: 't4' conflicts with singleuser.gpu_nodes.node_selector "
        "accelerator: 'a100', which this GPU profile also requires; remove one",
    ),
    "GPUs as an extended resource": (
        "singleuser: {profiles: [{display_name: A, slug: a, default: true, extra_resources: {nvidia.com/gpu: 1}}]}",
        "singleuser.profiles[0].extra_resources.nvidia.com/gpu: GPUs are `gpus: N` (or a gpu drop-down)",
    ),
    "a profile variable a platform service sets": (
        """
        platform_services:
          services: [{name: ml, kind: mlflow, host: mlflow.ml, port: 5000}]
        singleuser:
          profiles:
            - {display_name: A, slug: a, default: true, environment: {MLFLOW_TRACKING_URI: "http://elsewhere"}}
        """,
        "singleuser.profiles[0].environment.MLFLOW_TRACKING_URI: is set by platform_services; remove it here",
    ),
    "a profile variable grant_sudo sets": (
        "singleuser: {grant_sudo: true, profiles: [{display_name: A, slug: a, default: true, "
        "environment: {GRANT_SUDO: 'no'}}]}",
        "singleuser.profiles[0].environment.GRANT_SUDO: is set by grant_sudo; remove it here",
    ),
    "a node pinned next to a node drop-down": (
        """
        singleuser:
          profiles:
            - display_name: A
              slug: a
              default: true
              node_selector: {kubernetes.io/hostname: worker-1}
              options:
                node: {kind: node, display_name: Node, default: a, choices: {a: {display_name: A, value: worker-2}}}
        """,
        "singleuser.profiles[0].node_selector.kubernetes.io/hostname: the node drop-down chooses the node",
    ),
    "arguments without a command": (
        "singleuser: {args: [--debug]}",
        "singleuser.args: KubeSpawner passes arguments only after an explicit command",
    ),
    "a profile's arguments without any command": (
        "singleuser: {profiles: [{display_name: A, slug: a, default: true, args: [--debug]}]}",
        "singleuser.profiles[0].args: KubeSpawner passes arguments only after an explicit command",
    ),
    "a sidecar named like the server": (
        "singleuser: {sidecars: [{name: notebook, image: 'busybox:1.36.1'}]}",
        "singleuser.sidecars[0].name: 'notebook' is already the name of a container of every user pod",
    ),
    "a profile's init container named like every server's": (
        """
        singleuser:
          init_containers: [{name: setup, image: "busybox:1.36.1"}]
          profiles:
            - {display_name: A, slug: a, default: true, init_containers: [{name: setup, image: "busybox:1.36.1"}]}
        """,
        "singleuser.profiles[0].init_containers[0].name: 'setup' is already the name of init_containers[0]",
    ),
    "a sidecar mounting a volume the pod does not have": (
        "singleuser: {sidecars: [{name: s, image: 'busybox:1.36.1', volume_mounts: [{volume: data, mount_path: /d}]}]}",
        "singleuser.sidecars[0].volume_mounts[0].volume: 'data' is no volume of the user pod; write one of: home",
    ),
    "a container mounting two volumes at one path": (
        "singleuser: {storage: {scratch: {mount_path: /scratch, size_limit: 1Gi}}, sidecars: [{name: s, image: "
        "'busybox:1.36.1', volume_mounts: [{volume: home, mount_path: /d}, {volume: scratch, mount_path: /d/}]}]}",
        "singleuser.sidecars[0].volume_mounts[1].mount_path: /d/ is already where this container mounts "
        "volume_mounts[0]; give each its own directory",
    ),
    "a mount path KubeSpawner would try to fill in": (
        "singleuser: {storage: {extra_volumes: [{name: d, claim: d, mount_path: '/data/{project}'}]}}",
        "singleuser.storage.extra_volumes[0].mount_path: '/data/{project}': KubeSpawner fills in {...}",
    ),
    "a shell variable KubeSpawner would try to fill in": (
        "singleuser: {sidecars: [{name: s, image: 'busybox:1.36.1', command: [sh, -c, 'echo ${HOME}']}]}",
        "singleuser.sidecars[0].command[2]: 'echo ${HOME}': KubeSpawner fills in {...} when it starts a server",
    ),
    "a label KubeSpawner sets itself": (
        "singleuser: {labels: {component: mine}}",
        "singleuser.labels.component: 'component' is set by KubeSpawner on every user pod",
    ),
    "free text for a CPU drop-down": (
        """
        singleuser:
          profiles:
            - display_name: A
              slug: a
              default: true
              options:
                cpu:
                  kind: cpu
                  display_name: CPU
                  default: two
                  choices: {two: {display_name: "2", value: "2"}}
                  unlisted: {}
        """,
        "singleuser.profiles[0].options.cpu.unlisted: free text is offered for images only",
    ),
    "a user ServiceAccount next to Spark executors' own": (
        "singleuser: {service_account: {name: notebooks}}\n"
        "platform_services: {spark: {enabled: true, executors: true, api_server_cidrs: [10.96.0.1/32]}}",
        "singleuser.service_account: platform_services.spark.executors already gives user pods a ServiceAccount",
    ),
    "sidecars that do not fit the quota beside the server": (
        "singleuser: {sidecars: [{name: s, image: 'busybox:1.36.1', resources: "
        "{cpu: {request: 100m, limit: '39'}, memory: {request: 32Mi, limit: 64Mi}}}]}",
        "quota.cpu.limits: 40 leaves no room for one user server: singleuser.cpu.limit is 2 with singleuser.sidecars "
        "taking 39 beside it",
    ),
}


@pytest.mark.unit
@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_with_the_field_and_a_fix(case: str, tmp_path: Path):
    extra, message = BAD[case]
    assert f"environments/lab.yaml: {message}" in refused_at_the_command_line(extra, tmp_path)


# --- what synth says about user pods ------------------------------------------------------------


@pytest.mark.unit
def test_synth_says_why_nfs_lowers_user_pods_and_what_a_mounted_token_grants(tmp_path: Path):
    research = load_file(ROOT / "environments" / "research.yaml", "research").config.singleuser
    assert user_pod_notices(research) == [
        'user pods meet Pod Security "baseline" only: nfs volumes (datasets) are not among the restricted level\'s '
        "volume types; an NFS-backed PersistentVolume and its claim are"
    ]
    token = environment(MINIMAL + "singleuser: {service_account: {name: notebooks, automount_token: true}}", tmp_path)
    assert user_pod_notices(token.config.singleuser)[1] == (
        "user pods run as ServiceAccount notebooks with its token: every user's code can call the Kubernetes API "
        "with every permission bound to notebooks"
    )
    identity = environment(MINIMAL + "singleuser: {service_account: {name: notebooks}}", tmp_path, "identity")
    assert "grants no Kubernetes API access" in user_pod_notices(identity.config.singleuser)[1]


# --- the free-text image choice -------------------------------------------------------------------

IMAGES = [
    ("registry.example.org/lab/scipy:2025.03", True),
    ("registry.example.org/lab/team/r:4.4", True),
    ("registry.example.org/lab/scipy@sha256:" + "a" * 64, True),
    ("registry.example.org/lab/scipy", False),  # not pinned
    ("registry.example.org/labs/scipy:1", False),  # another repository that only starts alike
    ("registry.example.org/scipy:1", False),
    ("evil.example.org/lab/scipy:1", False),
    ("registry.example.org/lab/scipy:1 --privileged", False),
    ("postgres:16", False),  # a numeric tag, not a registry's port
    ("registry.example.org:5000/lab/scipy:1", False),
]


@pytest.mark.unit
@pytest.mark.parametrize(("image", "accepted"), IMAGES)
def test_typed_images_are_pinned_and_below_the_repositories_kubespawner_is_told(image: str, accepted: bool):
    """KubeSpawner matches the pattern with Python's re (kubespawner 7.0.0 spawner.py _validate_user_options)."""
    assert bool(re.match(unlisted_image_pattern(["registry.example.org/lab"]), image)) is accepted
    any_image = re.match(unlisted_image_pattern([]), image) is not None
    try:
        valid_image(image)
        assert any_image, f"{image} is a pinned image, refused by the pattern for any image"
    except ValueError:
        assert not any_image


@pytest.mark.output
@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js (cdk8s runs on it)")
def test_the_browser_reads_the_free_text_pattern_as_python_does():
    """The spawn page puts the pattern in an <input pattern>, which browsers compile with the `v` flag."""
    patterns = [unlisted_image_pattern(["registry.example.org/lab"]), unlisted_image_pattern([])]
    script = (
        "const [patterns, images] = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(patterns.map(p => images.map(i => new RegExp(`^(?:${p})$`, 'v').test(i)))));"
    )
    images = [image for image, _ in IMAGES]
    result = subprocess.run(
        ["node", "-e", script, json.dumps([patterns, images])], capture_output=True, text=True, check=True
    )
    expected = [[re.match(pattern, image) is not None for image in images] for pattern in patterns]
    assert json.loads(result.stdout) == expected


# --- the objects they make ----------------------------------------------------------------------------

FILES = """
hub:
  extra_files:
    login: {mount_path: /usr/local/share/jupyterhub/custom/login.html, text: "<p>Welcome</p>"}
singleuser:
  extra_files:
    server-config:
      mount_path: /etc/jupyter/jupyter_server_config.json
      data: {ServerApp: {terminals_enabled: false}}
    logo: {mount_path: /opt/logo.png, binary: iVBORw0KGgo=, mode: 0444}
"""


@pytest.mark.unit
def test_files_are_config_maps_mounted_file_by_file_and_a_change_restarts_the_hub(tmp_path: Path):
    objects = synth_objects(MINIMAL + FILES, tmp_path)
    user_files = find(objects, "ConfigMap", "jupyterhub-singleuser-files")
    assert json.loads(user_files["data"]["server-config"]) == {"ServerApp": {"terminals_enabled": False}}
    assert user_files["binaryData"] == {"logo": "iVBORw0KGgo="}
    hub_files = find(objects, "ConfigMap", "jupyterhub-hub-files")
    assert hub_files["data"] == {"login": "<p>Welcome</p>"}
    hub = find(objects, "Deployment", "jupyterhub-hub")["spec"]["template"]["spec"]
    assert {
        "name": "file-login",
        "configMap": {"name": "jupyterhub-hub-files", "items": [{"key": "login", "path": "login"}]},
    } in hub["volumes"]
    assert {
        "name": "file-login",
        "mountPath": "/usr/local/share/jupyterhub/custom/login.html",
        "subPath": "login",
        "readOnly": True,
    } in hub["containers"][0]["volumeMounts"]
    changed = synth_objects(MINIMAL + FILES.replace("Welcome", "Hello"), tmp_path, "changed")
    checksum = [
        find(o, "Deployment", "jupyterhub-hub")["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
        for o in (objects, changed)
    ]
    assert checksum[0] != checksum[1], "the hub reads its files at start: a change must restart it"
    assert "0o444" not in hub_config_text(objects) and "'mode': 292" in hub_config_text(objects)
