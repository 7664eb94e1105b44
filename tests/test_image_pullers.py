"""Image pullers: each image where its servers can run, never gating a sync, waited for once per change."""

from __future__ import annotations

import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.hooks import run_hook, self_signed
from support.synthesis import ENVIRONMENTS, MINIMAL, ROOT, dist_objects, environment, hub_config_text, synth_objects
from support.user_pods import load_hub_config, selections, user_pod

from jupyterhub_cdk8s.config.loader import load_file

HOOK = "argocd.argoproj.io/hook"
DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
WAVE = "argocd.argoproj.io/sync-wave"
GPU_TAINT = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
USER_TAINT = {"key": "hub.jupyter.org/dedicated", "operator": "Equal", "value": "user", "effect": "NoSchedule"}
HIGHMEM_TAINT = {"key": "example.org/pool", "operator": "Equal", "value": "highmem", "effect": "NoSchedule"}

# User nodes with a taint and a label of their own, GPU nodes with theirs, a pool of high-memory nodes;
# a CPU, a GPU and a high-memory profile; a sidecar in every pod, one in the high-memory pods only.
PLACED = (
    MINIMAL
    + """
image_pull_secrets:
  - {name: lab-registry, registries: [registry.example.org]}
singleuser:
  image: quay.io/jupyter/scipy-notebook:2025-01-06
  sidecars: [{name: relay, image: "registry.example.org/relay:1.0"}]
  gpu_nodes:
    node_selector: {nvidia.com/gpu.present: "true"}
    tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
  profiles:
    - display_name: CPU
      slug: cpu
      default: true
      options:
        image:
          kind: image
          display_name: Image
          default: scipy
          choices:
            scipy: {display_name: SciPy, value: "quay.io/jupyter/scipy-notebook:2025-01-06"}
            r: {display_name: R, value: "quay.io/jupyter/r-notebook:2025-01-06"}
    - display_name: GPU
      slug: gpu
      image: quay.io/jupyter/pytorch-notebook:cuda12-2025-01-06
      gpus: 1
    - display_name: High memory
      slug: highmem
      image: registry.example.org/bigdata:2025.01
      node_selector: {example.org/pool: highmem}
      tolerations: [{key: example.org/pool, operator: Equal, value: highmem, effect: NoSchedule}]
      sidecars: [{name: spill, image: "registry.example.org/spill:0.9"}]
scheduling:
  user_pods:
    node_selector: {hub.jupyter.org/node-purpose: user}
    tolerations:
      - {key: hub.jupyter.org/dedicated, operator: Equal, value: user, effect: NoSchedule}
  image_puller:
    extra_images: [quay.io/jupyter/pyspark-notebook:spark-3.5.3]
quota: {gpus: 4}
"""
)


def component(obj: dict) -> str:
    return obj["metadata"].get("labels", {}).get("app.kubernetes.io/component", "")


def pullers(objects: list[dict]) -> list[dict]:
    return [o for o in objects if o["kind"] == "DaemonSet" and component(o) == "image-puller"]


def awaiter_job(objects: list[dict]) -> dict:
    (job,) = [o for o in objects if o["kind"] == "Job" and component(o) == "image-awaiter"]
    return job


def pulled(daemonset: dict) -> list[str]:
    return [c["image"] for c in daemonset["spec"]["template"]["spec"]["initContainers"]]


@pytest.fixture(scope="module")
def placed(tmp_path_factory) -> list[dict]:
    return synth_objects(PLACED, tmp_path_factory.mktemp("placed"))


# --- where each image is pulled -------------------------------------------------------


def tolerates(tolerations: list[dict], taint: dict) -> bool:
    """Kubernetes' toleration matching, for the taints these tests put on nodes."""
    for toleration in tolerations:
        if toleration.get("effect") not in (None, taint["effect"]):
            continue
        if toleration.get("operator") == "Exists" and toleration.get("key") in (None, taint["key"]):
            return True
        if toleration.get("key") == taint["key"] and toleration.get("value") == taint.get("value"):
            return True
    return False


def may_run_on(pod_spec: dict, node_labels: dict, taints: list[dict]) -> bool:
    selector = pod_spec.get("nodeSelector") or {}
    tolerations = pod_spec.get("tolerations") or []
    return all(node_labels.get(k) == v for k, v in selector.items()) and all(tolerates(tolerations, t) for t in taints)


# Three kinds of node: user nodes, and GPU and high-memory nodes that are user nodes too.
NODES = {
    "user": ({"hub.jupyter.org/node-purpose": "user"}, [USER_TAINT]),
    "gpu": ({"hub.jupyter.org/node-purpose": "user", "nvidia.com/gpu.present": "true"}, [USER_TAINT, GPU_TAINT]),
    "highmem": ({"hub.jupyter.org/node-purpose": "user", "example.org/pool": "highmem"}, [USER_TAINT, HIGHMEM_TAINT]),
}


@pytest.mark.real
def test_every_image_a_user_starts_is_pulled_on_every_node_the_real_pod_may_run_on(placed, tmp_path):
    """KubeSpawner 7.0.0 builds the pod of every profile and choice; its images must be on its nodes."""
    config = load_hub_config(hub_config_text(placed), tmp_path)
    singleuser = environment(PLACED, tmp_path).config.singleuser
    daemonsets = pullers(placed)
    for options in selections(singleuser):
        pod = user_pod(config, options)["spec"]
        images = {c["image"] for c in pod["containers"] + pod.get("initContainers", [])}
        for node, (labels, taints) in NODES.items():
            if not may_run_on(pod, labels, taints):
                continue
            here = {
                i for d in daemonsets if may_run_on(d["spec"]["template"]["spec"], labels, taints) for i in pulled(d)
            }
            assert images <= here, f"{options} on a {node} node starts {images - here}, which no puller there pulls"


def nodes_of(pod_spec: dict) -> tuple[dict, list[dict]]:
    """The node a pod is made for: its nodeSelector as labels, a taint for each key and value it tolerates."""
    taints = [
        {"key": t["key"], "value": t.get("value"), "effect": t.get("effect") or "NoSchedule"}
        for t in pod_spec.get("tolerations") or []
        if t.get("key") and t.get("effect") in (None, "NoSchedule")
    ]
    return pod_spec.get("nodeSelector") or {}, taints


@pytest.mark.real
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_shipped_environments_user_images_are_pulled_on_the_nodes_made_for_them(env, tmp_path):
    """Each profile and choice of each shipped environment, as KubeSpawner 7.0.0 builds its pod: the node made
    for it (its selector, its tolerated taints) runs a puller of every image it starts."""
    objects = dist_objects(env)
    daemonsets = pullers(objects)
    if not daemonsets:
        pytest.skip(f"{env} has no image pullers")
    config = load_hub_config(hub_config_text(objects), tmp_path)
    singleuser = load_file(ROOT / "environments" / f"{env}.yaml", env).config.singleuser
    # An image a user types in (an unlisted choice) is not known before: nothing can pull it ahead.
    for options in [o for o in selections(singleuser) if not any(k.endswith("--unlisted-choice") for k in o)]:
        pod = user_pod(config, options)["spec"]
        images = {c["image"] for c in pod["containers"] + pod.get("initContainers", [])}
        labels, taints = nodes_of(pod)
        here = {i for d in daemonsets if may_run_on(d["spec"]["template"]["spec"], labels, taints) for i in pulled(d)}
        assert images <= here, f"{options}: its node runs no puller of {images - here}"


@pytest.mark.real
def test_gpu_pods_tolerate_the_user_nodes_taints_too(placed, tmp_path):
    """A GPU profile's tolerations are added to the user nodes', not put in their place."""
    config = load_hub_config(hub_config_text(placed), tmp_path)
    pod = user_pod(config, {"profile": "gpu"})["spec"]
    assert may_run_on(pod, *NODES["gpu"])
    assert not may_run_on(pod, *NODES["user"]), "a GPU pod must wait for a GPU node"


@pytest.mark.unit
def test_a_gpu_image_is_pulled_only_where_gpu_pods_run(placed):
    by_selector = {
        json.dumps(d["spec"]["template"]["spec"].get("nodeSelector"), sort_keys=True): d for d in pullers(placed)
    }
    gpu = by_selector[json.dumps({"hub.jupyter.org/node-purpose": "user", "nvidia.com/gpu.present": "true"})]
    user = by_selector[json.dumps({"hub.jupyter.org/node-purpose": "user"})]
    assert "quay.io/jupyter/pytorch-notebook:cuda12-2025-01-06" in pulled(gpu)
    assert "quay.io/jupyter/pytorch-notebook:cuda12-2025-01-06" not in pulled(user)
    assert "quay.io/jupyter/r-notebook:2025-01-06" in pulled(
        user
    ) and "quay.io/jupyter/r-notebook:2025-01-06" not in pulled(gpu)
    assert "quay.io/jupyter/pyspark-notebook:spark-3.5.3" in pulled(user), "extra images go to the user nodes"
    assert gpu["spec"]["template"]["spec"]["tolerations"] == [USER_TAINT, GPU_TAINT]


@pytest.mark.unit
def test_a_profiles_pool_gets_its_images_and_no_one_elses(placed):
    by_selector = {
        json.dumps(d["spec"]["template"]["spec"].get("nodeSelector"), sort_keys=True): d for d in pullers(placed)
    }
    highmem = by_selector[json.dumps({"example.org/pool": "highmem", "hub.jupyter.org/node-purpose": "user"})]
    user = by_selector[json.dumps({"hub.jupyter.org/node-purpose": "user"})]
    assert pulled(highmem) == [
        "registry.example.org/bigdata:2025.01",
        "registry.example.org/relay:1.0",
        "registry.example.org/spill:0.9",
    ]
    assert "registry.example.org/bigdata:2025.01" not in pulled(
        user
    ) and "registry.example.org/spill:0.9" not in pulled(user)
    assert highmem["spec"]["template"]["spec"]["tolerations"] == [USER_TAINT, HIGHMEM_TAINT]


@pytest.mark.unit
def test_pullers_pull_private_images_with_the_secret_of_their_registry(placed):
    """The kubelet pulls an init container's image with the pod's imagePullSecrets: the user pods' Secret."""
    for daemonset in pullers(placed):
        private = [image for image in pulled(daemonset) if image.startswith("registry.example.org/")]
        assert private, "every pod here runs the relay sidecar from the private registry"
        assert daemonset["spec"]["template"]["spec"]["imagePullSecrets"] == [{"name": "lab-registry"}]
    # Nothing else pulls from it: the awaiter runs the hub's public image.
    assert "imagePullSecrets" not in awaiter_job(placed)["spec"]["template"]["spec"]


@pytest.mark.output
def test_every_puller_of_research_pulls_with_the_registry_secret_and_the_gpu_one_reaches_the_gpu_nodes():
    """dist/research: private images everywhere; the GPU profile's pool is GPU nodes, tainted."""
    config = load_file(ROOT / "environments" / "research.yaml", "research").config
    daemonsets = pullers(dist_objects("research"))
    assert len(daemonsets) == 3, "the general, high-memory and GPU pools"
    for daemonset in daemonsets:
        assert daemonset["spec"]["template"]["spec"]["imagePullSecrets"] == [{"name": "research-registry"}]
    gpu_nodes = config.singleuser.gpu_nodes
    labels = {
        **config.scheduling.user_pods.node_selector,
        **gpu_nodes.node_selector,
        "research.example.org/pool": "gpu",
    }
    taints = [t.to_kubernetes() for t in [*config.scheduling.user_pods.tolerations, *gpu_nodes.tolerations]]
    (gpu,) = [d for d in daemonsets if may_run_on(d["spec"]["template"]["spec"], labels, taints)]
    assert "registry.research.example.org/lab/pytorch-cuda:2025.03" in pulled(gpu)
    others = [d for d in daemonsets if d is not gpu]
    assert not any(may_run_on(d["spec"]["template"]["spec"], labels, taints) for d in others)


@pytest.mark.real
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_committed_pullers_pull_what_each_environments_real_pods_start(env, tmp_path):
    objects = dist_objects(env)
    config = load_hub_config(hub_config_text(objects), tmp_path)
    singleuser = environment((ROOT / "environments" / f"{env}.yaml").read_text(), tmp_path).config.singleuser
    started = set()
    # An image typed in a free-text choice cannot be known, so not pulled ahead: its first start waits.
    for options in [o for o in selections(singleuser) if not any(k.endswith("--unlisted-choice") for k in o)]:
        pod = user_pod(config, options)["spec"]
        started |= {c["image"] for c in pod["containers"] + pod.get("initContainers", [])}
    assert started <= {image for daemonset in pullers(objects) for image in pulled(daemonset)}


@pytest.mark.unit
def test_user_images_keep_the_pull_policy_kubespawner_gives_them(placed):
    """KubeSpawner leaves imagePullPolicy unset: a :latest image is pulled afresh. The pullers do the same."""
    for daemonset in pullers(placed):
        assert all("imagePullPolicy" not in c for c in daemonset["spec"]["template"]["spec"]["initContainers"])


@pytest.mark.unit
def test_pullers_run_below_users_with_a_priority_class_that_exists_before_them(placed):
    classes = {o["metadata"]["name"]: o for o in placed if o["kind"] == "PriorityClass"}
    for daemonset in pullers(placed):
        name = daemonset["spec"]["template"]["spec"]["priorityClassName"]
        assert name in classes
        assert int(classes[name]["metadata"]["annotations"][WAVE]) < int(daemonset["metadata"]["annotations"][WAVE])


# --- never gating a sync; waiting once per change ------------------------------------------


@pytest.mark.unit
def test_pullers_never_gate_a_sync(placed):
    """Argo CD counts an OnDelete DaemonSet healthy once observed (gitops-engine health_daemonset.go);
    a RollingUpdate one holds every later wave until every node runs it, with no timeout."""
    for daemonset in pullers(placed):
        assert daemonset["spec"]["updateStrategy"] == {"type": "OnDelete"}
        assert HOOK not in daemonset["metadata"]["annotations"], "a normal resource, kept between syncs"


@pytest.mark.unit
def test_a_changed_image_makes_new_pullers_and_a_new_awaiter(tmp_path):
    changed = MINIMAL + "singleuser: {image: 'quay.io/jupyter/base-notebook:2025-01-06'}\n"
    first, again, other = (
        synth_objects(text, tmp_path, name) for name, text in (("a", MINIMAL), ("b", MINIMAL), ("c", changed))
    )
    names = [
        ({d["metadata"]["name"] for d in pullers(o)}, awaiter_job(o)["metadata"]["name"]) for o in (first, again, other)
    ]
    assert names[0] == names[1], "the same images are the same objects: nothing runs again"
    assert names[0][0].isdisjoint(names[2][0]) and names[0][1] != names[2][1]


@pytest.mark.unit
def test_the_awaiter_runs_once_per_image_set_ahead_of_the_hub(placed):
    """A Sync hook deleted only on failure: while a completed Job of its name exists, Argo CD does not run it again."""
    job = awaiter_job(placed)
    annotations = job["metadata"]["annotations"]
    assert annotations[HOOK] == "Sync" and annotations[DELETE_POLICY] == "HookFailed"
    hub = next(o for o in placed if o["kind"] == "Deployment" and component(o) == "hub")
    assert int(annotations[WAVE]) < int(hub["metadata"]["annotations"][WAVE])
    assert {int(d["metadata"]["annotations"][WAVE]) for d in pullers(placed)} == {int(annotations[WAVE])}
    assert job["spec"]["template"]["spec"]["containers"][0]["args"][3:] == [
        d["metadata"]["name"] for d in pullers(placed)
    ]


@pytest.mark.unit
def test_the_awaiter_may_only_read_its_pullers(placed):
    (role,) = [o for o in placed if o["kind"] == "Role" and component(o) == "image-awaiter"]
    assert role["rules"] == [
        {
            "apiGroups": ["apps"],
            "resources": ["daemonsets"],
            "verbs": ["get", "list", "watch"],
            "resourceNames": [d["metadata"]["name"] for d in pullers(placed)],
        }
    ]


@pytest.mark.unit
def test_no_awaiter_without_pre_sync_and_no_puller_without_continuous(tmp_path):
    no_wait = synth_objects(MINIMAL + "scheduling: {image_puller: {pre_sync: {enabled: false}}}\n", tmp_path, "a")
    assert pullers(no_wait) and not [o for o in no_wait if component(o) == "image-awaiter"]
    none = "scheduling: {image_puller: {continuous: false, pre_sync: {enabled: false}}}\n"
    assert not [o for o in synth_objects(MINIMAL + none, tmp_path, "b") if "image-" in component(o)]


@pytest.mark.unit
def test_waiting_without_pullers_is_refused_with_what_to_write(tmp_path):
    from jupyterhub_cdk8s.config.loader import ConfigError

    with pytest.raises(ConfigError) as refused:
        environment(MINIMAL + "scheduling: {image_puller: {continuous: false}}\n", tmp_path)
    assert (
        "environments/test.yaml: scheduling.image_puller.pre_sync.enabled: waits for the pullers' pods, but "
        "continuous is false, so there are none; write pre_sync: {enabled: false}, or continuous: true"
    ) in str(refused.value)


# --- the awaiter's script, run as its Job runs it, against a local API -------------------------


class FakeDaemonSetApi:
    """Serves GET of DaemonSets, each one's status advancing one step per request to it."""

    def __init__(self, namespace: str, statuses: dict[str, list[tuple[int, dict]]], tls: ssl.SSLContext | None = None):
        self.prefix = f"/apis/apps/v1/namespaces/{namespace}/daemonsets/"
        self.statuses = statuses
        self.requests: list[tuple[str, str]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                api.requests.append((self.path, self.headers.get("Authorization", "")))
                name = self.path.removeprefix(api.prefix)
                if not self.path.startswith(api.prefix) or name not in api.statuses:
                    code, body = 404, {}
                else:
                    seen = sum(1 for path, _ in api.requests if path == self.path)
                    steps = api.statuses[name]
                    code, body = steps[min(seen - 1, len(steps) - 1)]
                payload = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def daemonset_status(generation: int, observed: int, desired: int, ready: int) -> tuple[int, dict]:
    return 200, {
        "metadata": {"generation": generation},
        "status": {"observedGeneration": observed, "desiredNumberScheduled": desired, "numberReady": ready},
    }


def service_account(tmp_path: Path) -> Path:
    account = tmp_path / "account"
    account.mkdir(exist_ok=True)
    (account / "token").write_text("the-token\n")
    return account


def run_awaiter(objects: list[dict], env: dict[str, str], timeout: str | None = None):
    """The Job's own command and args (faster polling, maybe a shorter timeout) with `env`."""
    container = awaiter_job(objects)["spec"]["template"]["spec"]["containers"][0]
    namespace, job_timeout, _poll, *names = container["args"]
    started = time.monotonic()
    result = run_hook(container, {"PATH": "/usr/bin:/bin", **env}, [namespace, timeout or job_timeout, "0.05", *names])
    return result, time.monotonic() - started


@pytest.mark.real
def test_awaiter_finds_the_api_server_without_dns(placed, tmp_path):
    """It reaches the API by KUBERNETES_SERVICE_HOST/PORT over verified TLS, as client-go does in a pod:
    its NetworkPolicy opens the API server and nothing else, DNS included."""
    cert, key = self_signed(tmp_path, "api")
    account = service_account(tmp_path)
    (account / "ca.crt").write_bytes(cert.read_bytes())
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    ready = {d["metadata"]["name"]: [daemonset_status(1, 1, 2, 2)] for d in pullers(placed)}
    api = FakeDaemonSetApi("hub-test", ready, tls)
    try:
        env = {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(api.port)}
        result, _ = run_awaiter(placed, {**env, "SERVICE_ACCOUNT_DIR": str(account)})
    finally:
        api.close()
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("images pulled on every node")
    assert {auth for _, auth in api.requests} == {"Bearer the-token"}


@pytest.mark.real
def test_awaiter_waits_until_every_puller_is_ready_on_every_node(placed, tmp_path):
    first, *others = (d["metadata"]["name"] for d in pullers(placed))
    statuses = {
        first: [(404, {}), daemonset_status(1, 0, 0, 0), daemonset_status(1, 1, 3, 1), daemonset_status(1, 1, 3, 3)],
        **{other: [daemonset_status(1, 1, 1, 0), daemonset_status(1, 1, 1, 1)] for other in others},
    }
    api = FakeDaemonSetApi("hub-test", statuses)
    try:
        result, _ = run_awaiter(
            placed, {"KUBERNETES_API_URL": api.url, "SERVICE_ACCOUNT_DIR": str(service_account(tmp_path))}
        )
    finally:
        api.close()
    assert result.returncode == 0, result.stderr
    assert sum(1 for path, _ in api.requests if path.endswith(first)) == 4
    assert f"{first}: 1 of 3 nodes" in result.stdout and result.stdout.rstrip().endswith("images pulled on every node")


@pytest.mark.real
def test_awaiter_gives_up_after_its_timeout_and_lets_the_sync_go_on(placed, tmp_path):
    stuck = {d["metadata"]["name"]: [daemonset_status(2, 2, 2, 1)] for d in pullers(placed)}
    api = FakeDaemonSetApi("hub-test", stuck)
    try:
        env = {"KUBERNETES_API_URL": api.url, "SERVICE_ACCOUNT_DIR": str(service_account(tmp_path))}
        result, elapsed = run_awaiter(placed, env, timeout="1")
    finally:
        api.close()
    assert result.returncode == 0
    assert "gave up waiting after 1 seconds" in result.stdout
    assert 0.9 <= elapsed < 10 and len(api.requests) >= 5


@pytest.mark.real
def test_awaiter_rides_out_an_unreachable_api_server(placed, tmp_path):
    env = {"KUBERNETES_API_URL": "http://127.0.0.1:9", "SERVICE_ACCOUNT_DIR": str(service_account(tmp_path))}
    result, _ = run_awaiter(placed, env, timeout="1")
    assert result.returncode == 0 and "gave up" in result.stdout and "is not reachable" in result.stdout
