"""Each component's generated YAML, for one fixed environment, against its reviewed snapshot.

A change of output shows as a small diff of one component's file under
tests/__snapshots__/test_component_snapshots/; after checking it is intended,
accept it with `pytest tests/test_component_snapshots.py --snapshot-update` and
commit the snapshot with the change. The shipped environments' output is dist/
itself, guarded by test_dist_is_current.py.
"""

from __future__ import annotations

import pytest
from support.synthesis import environment
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from jupyterhub_cdk8s.synth import manifests

pytestmark = pytest.mark.output

# Small, and turns on every component that writes a file of its own.
ENVIRONMENT = """
namespace: hub-snapshot
host: hub.example.com
hub:
  branding:
    announcement: Maintenance on Sunday
  services:
    - name: grader
      scopes: [list:users, read:users]
      api_token: {name: grader-token, key: token}
      runs_in: {namespace: grading, pod_labels: {app: grader}}
  extra_files:
    custom-page: {mount_path: /usr/local/share/jupyterhub/custom/extra.html, text: "<p>Example</p>"}
image_pull_secrets:
  - {name: example-registry, registries: [registry.example.org]}
auth:
  type: github
  client_id: hub
  client_secret: {name: github-oauth, key: client-secret}
  allowed_organizations: [example-org]
  admin_teams: [example-org:hub-admins]
  admin_users: [admin]
  egress: [{cidr: 140.82.112.0/20}]
singleuser:
  image: quay.io/jupyter/scipy-notebook:2025-01-06
  cpu: {guarantee: 500m, limit: "2"}
  memory: {guarantee: 1Gi, limit: 4Gi}
  extra_files:
    server-config:
      mount_path: /etc/jupyter/jupyter_server_config.json
      data: {FileContentsManager: {delete_to_trash: false}}
  sidecars:
    - {name: relay, image: "registry.example.org/relay:1.0", env: {TOKEN: {name: relay, key: token}}}
  storage:
    shared_volumes:
      - {name: datasets, mount_path: /home/jovyan/datasets, capacity: 10Gi, storage_class: nfs-client}
    extra_volumes:
      - {name: reference, claim: reference-data, mount_path: /home/jovyan/reference, read_only: true}
    examples:
      url: https://github.com/example-org/examples.git
      mount_path: /home/jovyan/examples
  profiles:
    - {display_name: SciPy, slug: scipy, default: true}
    - {display_name: Spark, slug: spark, image: "quay.io/jupyter/pyspark-notebook:spark-3.5.3"}
platform_services:
  services:
    - name: warehouse
      kind: postgresql
      host: warehouse.data
      port: 5432
      credentials:
        password: {name: warehouse, key: password}
scheduling:
  user_placeholders: {replicas: 1}
  core_pods: {node_selector: {pool: system}}
network_rules:
  hub:
    ingress: [{peer: {namespace: monitoring}, ports: [8081]}]
monitoring:
  enabled: true
gitops:
  repo_url: https://git.example.com/hubs.git
ingress:
  tls_secret: hub-tls
# User servers reach public addresses for the examples repository: the API server must be known to be left out.
network_policy:
  api_server: {cidrs: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]}
gateway:
  enabled: true
  parent: {name: public, namespace: gateways}
  pods: {namespace: gateways, pod_labels: {app: gateway}}
  certificate: {issuer: {name: letsencrypt}}
"""

FILES = [
    "snapshot/namespace.yaml",
    "snapshot/network-policy.yaml",
    "snapshot/quota.yaml",
    "snapshot/priority.yaml",
    "snapshot/secrets-bootstrap.yaml",
    "snapshot/hub.yaml",
    "snapshot/proxy.yaml",
    "snapshot/ingress.yaml",
    "snapshot/gateway.yaml",
    "snapshot/shared-storage.yaml",
    "snapshot/singleuser-server.yaml",
    "snapshot/platform-services.yaml",
    "snapshot/user-scheduler.yaml",
    "snapshot/user-placeholder.yaml",
    "snapshot/image-puller.yaml",
    "snapshot/image-awaiter.yaml",
    "snapshot/monitoring.yaml",
    "argocd/snapshot.yaml",
    "argocd/fleet/applicationset.yaml",
]


class YamlSnapshot(SingleFileSnapshotExtension):
    """One snapshot file per component, stored as the YAML itself, so its diff reads like the output's."""

    file_extension = "yaml"
    _write_mode = WriteMode.TEXT


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("environments")
    return {m.path: m.text for m in manifests([environment(ENVIRONMENT, folder, "snapshot")])}


@pytest.fixture
def snapshot(snapshot):
    return snapshot.use_extension(YamlSnapshot)


def test_every_component_file_has_a_snapshot(written):
    """A component that starts or stops writing a file must be added here (and get its snapshot) or removed."""
    assert sorted(written) == sorted(FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.removesuffix(".yaml").replace("/", "-"))
def test_component_yaml_matches_its_snapshot(written, path, snapshot):
    assert written[path] == snapshot
