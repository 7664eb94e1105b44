"""Bad user-server config is refused with a message naming the field and what to write; dist/ stays as it was."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from support.synthesis import MINIMAL, ROOT, environment, refused_at_the_command_line

from jupyterhub_cdk8s.cli import main
from jupyterhub_cdk8s.config.loader import load_file
from jupyterhub_cdk8s.singleuser import user_images, user_pod_notices

pytestmark = pytest.mark.unit

PROFILES = """
singleuser:
  profiles:
    - display_name: Small
      slug: small
      default: true
      options:
        memory:
          kind: memory
          display_name: Memory
          default: DEFAULT
          choices:
            small: {display_name: 2 GiB, value: 2Gi}
            big: {display_name: 8 GiB, value: 8Gi}
"""

BAD = {
    "option default not among choices": (
        PROFILES.replace("DEFAULT", "huge"),
        "singleuser.profiles[0].options.memory.default: 'huge' is not one of the choices; write one of: small, big",
    ),
    "GPU profile without GPU nodes": (
        """
        singleuser:
          profiles:
            - {display_name: GPU, slug: gpu, default: true, gpus: 1}
        """,
        "singleuser.profiles[0].gpus: GPUs need GPU nodes: set singleuser.gpu_nodes.node_selector",
    ),
    "GPU drop-down without tolerations": (
        """
        singleuser:
          gpu_nodes: {node_selector: {gpu: "yes"}}
          profiles:
            - display_name: GPU
              slug: gpu
              default: true
              options:
                gpu: {kind: gpu, display_name: GPUs, default: one, choices: {one: {display_name: "1", value: 1}}}
        """,
        "singleuser.profiles[0].options: GPUs need GPU nodes",
    ),
    "two services with the same variable": (
        """
        platform_services:
          services:
            - {name: lake, kind: s3, host: minio.data, port: 9000}
            - {name: archive, kind: s3, host: archive.data, port: 9000}
        """,
        "platform_services.services[1]: sets S3_ENDPOINT, which services[0] (lake) already sets; "
        "rename one with `variables: {role: OTHER_NAME}`",
    ),
    "shared volume larger than its quota": (
        """
        singleuser:
          storage:
            shared_quota: 100Gi
            shared_volumes:
              - {name: notebooks, mount_path: /home/jovyan/notebooks, capacity: 40Gi}
              - {name: datasets, mount_path: /home/jovyan/datasets, capacity: 500Gi}
        """,
        "singleuser.storage.shared_volumes[1].capacity: 500Gi brings the shared volumes to 540Gi, above "
        "storage.shared_quota 100Gi; shrink the volumes or raise shared_quota",
    ),
    "shared volume hiding the home": (
        """
        singleuser:
          storage:
            shared_volumes: [{name: home, mount_path: /home/jovyan, capacity: 1Gi, storage_class: nfs-client}]
        """,
        "singleuser.storage.shared_volumes[0].mount_path: /home/jovyan would hide the home directory",
    ),
    "shared volume without a storage class": (
        """
        singleuser:
          storage:
            shared_volumes: [{name: data, mount_path: /home/jovyan/data, capacity: 1Gi}]
        """,
        "singleuser.storage.shared_volumes[0].storage_class: required: a shared volume is ReadWriteMany, which "
        "the default StorageClass of most clusters cannot provide",
    ),
    "ReadWriteMany homes without a storage class": (
        """
        singleuser:
          storage: {access_mode: ReadWriteMany}
        """,
        "singleuser.storage.storage_class: required with access_mode ReadWriteMany: homes would be ReadWriteMany",
    ),
    "profile guarantee above the limit it keeps from singleuser": (
        """
        singleuser:
          profiles:
            - {display_name: Big, slug: big, default: true, cpu: {guarantee: "4"}}
        """,
        "singleuser.profiles[0].cpu.guarantee: 4 is above the limit 2; lower it or raise cpu.limit",
    ),
    "two default profiles": (
        """
        singleuser:
          profiles:
            - {display_name: A, slug: a, default: true}
            - {display_name: B, slug: b, default: true}
        """,
        "singleuser.profiles[1].default: 2 profiles are marked default; mark exactly one with `default: true`",
    ),
    "image choice without a tag": (
        PROFILES.replace("kind: memory", "kind: image").replace("DEFAULT", "small").replace("2Gi", "jupyter/base"),
        "singleuser.profiles[0].options.memory.choices.small.value: 'jupyter/base' has no tag",
    ),
    "extra_env clashing with a service": (
        """
        singleuser:
          extra_env: {MLFLOW_TRACKING_URI: "http://elsewhere"}
        platform_services:
          services: [{name: ml, kind: mlflow, host: mlflow.ml, port: 5000}]
        """,
        "singleuser.extra_env.MLFLOW_TRACKING_URI: is set by platform_services; remove it here",
    ),
    "credential a kind does not take": (
        """
        platform_services:
          services:
            - {name: ray, kind: ray, host: ray.ml, port: 10001, credentials: {password: {name: s, key: k}}}
        """,
        "platform_services.services[0].credentials.password: ray takes no credential 'password'; allowed: none",
    ),
    "an unknown spawn-time field": (
        """
        singleuser:
          extra_env: {DATA_DIR: "/data/${USER}"}
        """,
        "singleuser.extra_env.DATA_DIR: '/data/${USER}': KubeSpawner fills in {...} when it starts a server",
    ),
    "spark executors without API addresses": (
        "platform_services: {spark: {enabled: true, executors: true}}",
        "platform_services.spark.api_server_cidrs: executors are started through the Kubernetes API",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_with_the_field_and_a_fix(case: str, tmp_path: Path):
    extra, message = BAD[case]
    assert f"environments/lab.yaml: {message}" in refused_at_the_command_line(extra, tmp_path)


def test_user_images_lists_every_startable_image_once_in_order(tmp_path: Path):
    path = tmp_path / "lab.yaml"
    path.write_text(
        textwrap.dedent(MINIMAL)
        + textwrap.dedent(
            """
            singleuser:
              image: example.org/base:1
              profiles:
                - {display_name: A, slug: a, default: true, image: "example.org/a:1"}
                - display_name: B
                  slug: b
                  image: example.org/base:1
                  options:
                    image:
                      kind: image
                      display_name: Image
                      default: x
                      choices:
                        x: {display_name: X, value: "example.org/x:2"}
                        a: {display_name: A again, value: "example.org/a:1"}
            """
        ),
        encoding="utf-8",
    )
    singleuser = load_file(path, "lab.yaml").config.singleuser
    assert user_images(singleuser) == ["example.org/base:1", "example.org/a:1", "example.org/x:2"]


def test_user_images_include_the_init_containers_every_start_needs():
    thinkube = load_file(ROOT / "environments" / "thinkube.yaml", "thinkube").config.singleuser
    assert user_images(thinkube) == [
        "harbor.example.com/library/tk-jupyter-scipy:latest",
        "harbor.example.com/library/tk-jupyter-ml-cpu:latest",
        "harbor.example.com/library/tk-jupyter-ml-gpu:latest",
        "busybox:1.36.1",
        "alpine/git:v2.45.1",
    ]


def test_security_level_is_reported_and_lowered_only_by_explicit_settings(tmp_path: Path, capsys):
    environments = tmp_path / "environments"
    environments.mkdir()
    (environments / "plain.yaml").write_text(textwrap.dedent(MINIMAL), encoding="utf-8")
    (environments / "sudo.yaml").write_text(
        textwrap.dedent(MINIMAL).replace("hub-test", "hub-sudo") + "singleuser: {grant_sudo: true}\n", encoding="utf-8"
    )
    (environments / "spark.yaml").write_text(
        textwrap.dedent(MINIMAL).replace("hub-test", "hub-spark")
        + "platform_services: {spark: {enabled: true, executors: true, api_server_cidrs: [10.96.0.1/32]}}\n",
        encoding="utf-8",
    )
    assert main(["--environments", str(environments), "--dist", str(tmp_path / "dist")], root=tmp_path) == 0
    out = capsys.readouterr().out
    assert (
        "notice: environments/spark.yaml: user pods may create pods and configmaps in namespace hub-spark "
        "(Spark executors): any user can start a pod with any ServiceAccount or Secret of that namespace"
    ) in out
    assert 'notice: environments/plain.yaml: user pods meet Pod Security "restricted"' in out
    assert (
        "notice: environments/sudo.yaml: user pods meet Pod Security "
        '"baseline" only: grant_sudo runs the server as root'
    ) in out
    assert user_pod_notices(load_file(environments / "plain.yaml", "x").config.singleuser) == [
        'user pods meet Pod Security "restricted"'
    ]


def test_the_metadata_blocker_is_announced_as_privileged(tmp_path):
    text = MINIMAL + "singleuser: {cloud_metadata: {block_with_iptables: true}}\npod_security: {enforce: privileged}\n"
    assert user_pod_notices(environment(text, tmp_path).config.singleuser) == [
        'user pods need Pod Security "privileged": the block-cloud-metadata init container runs privileged with '
        "NET_ADMIN"
    ]
