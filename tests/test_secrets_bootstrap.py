"""The secrets bootstrap Job: its script really creates the hub's Secret once and never rotates it.

No API server runs here, so the Job's exact command runs as a subprocess
against a small local server that implements the three Secret endpoints the
script uses with the API server's semantics (404 then create 201, 409 when it
exists, JSON merge patch with resourceVersion preconditions, bearer token,
TLS with the service account's CA). The script reads SERVICE_ACCOUNT_DIR and
KUBERNETES_API_URL instead of the in-cluster defaults.
"""

from __future__ import annotations

import base64
import json
import re
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.hooks import hook_file, hook_sources, run_hook, self_signed
from support.hub_harness import deployment_container
from support.synthesis import ENVIRONMENTS, ROOT, dist_objects, find

from jupyterhub_cdk8s.config.loader import load_file
from jupyterhub_cdk8s.naming import SECRETS_BOOTSTRAP

TOKEN = "service-account-token"
SECRET_PATH = re.compile(r"^/api/v1/namespaces/(?P<namespace>[^/]+)/secrets(?:/(?P<name>[^/]+))?$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch, as the API server applies application/merge-patch+json."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


class SecretsApi:
    """The Secret endpoints of a Kubernetes API server, in memory."""

    def __init__(self):
        self.secrets: dict[tuple[str, str], dict] = {}
        self.requests: list[tuple[str, str, dict | None]] = []
        self.failures: dict[str, int] = {}  # method -> HTTP status to answer instead
        self.create_racer: dict | None = None  # a Secret another writer creates just before our POST lands
        self.patch_racer: dict[str, str] | None = None  # data another writer adds just before our PATCH lands
        self.version = 0
        self.lock = threading.Lock()

    def seed(self, namespace: str, name: str, data: dict[str, str]) -> None:
        self.secrets[(namespace, name)] = self._stored(namespace, {"metadata": {"name": name}, "data": data})

    def data(self, namespace: str, name: str) -> dict[str, str]:
        """Decoded values of a stored Secret."""
        return {key: base64.b64decode(value).decode() for key, value in self.secrets[(namespace, name)]["data"].items()}

    def writes(self) -> list[tuple[str, str, dict | None]]:
        return [request for request in self.requests if request[0] != "GET"]

    def _stored(self, namespace: str, secret: dict) -> dict:
        self.version += 1
        metadata = {**secret.get("metadata", {}), "namespace": namespace, "resourceVersion": str(self.version)}
        return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", **secret, "metadata": metadata}

    def handle(self, method: str, path: str, headers, body: dict | None) -> tuple[int, dict]:
        with self.lock:
            self.requests.append((method, path, body))
            if headers.get("Authorization") != f"Bearer {TOKEN}":
                return 401, status(401, "Unauthorized")
            match = SECRET_PATH.match(path)
            if not match:
                return 404, status(404, "NotFound")
            if method in self.failures:
                return self.failures[method], status(self.failures[method], "Injected")
            namespace, name = match["namespace"], match["name"]
            key = (namespace, name)
            if method == "GET" and name:
                return (200, self.secrets[key]) if key in self.secrets else (404, status(404, "NotFound"))
            if method == "POST" and not name:
                key = (namespace, body["metadata"]["name"])
                if self.create_racer is not None:
                    self.secrets[key], self.create_racer = self._stored(namespace, self.create_racer), None
                if key in self.secrets:
                    return 409, status(409, "AlreadyExists")
                self.secrets[key] = self._stored(namespace, body)
                return 201, self.secrets[key]
            if method == "PATCH" and name:
                if headers.get("Content-Type") != "application/merge-patch+json":
                    return 415, status(415, "UnsupportedMediaType")
                if key not in self.secrets:
                    return 404, status(404, "NotFound")
                if self.patch_racer is not None:
                    raced = merge_patch(self.secrets[key], {"data": self.patch_racer})
                    self.secrets[key], self.patch_racer = self._stored(namespace, raced), None
                current = self.secrets[key]
                wanted = (body.get("metadata") or {}).get("resourceVersion")
                if wanted is not None and wanted != current["metadata"]["resourceVersion"]:
                    return 409, status(409, "Conflict")
                self.secrets[key] = self._stored(namespace, merge_patch(current, body))
                return 200, self.secrets[key]
            return 405, status(405, "MethodNotAllowed")


def status(code: int, reason: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason, "code": code}


@contextmanager
def serving(api: SecretsApi, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            code, answer = api.handle(self.command, self.path, self.headers, body)
            payload = json.dumps(answer).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = _answer

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def is_bootstrap_job(obj: dict) -> bool:
    return obj["kind"] == "Job" and obj["metadata"]["labels"]["app.kubernetes.io/component"] == SECRETS_BOOTSTRAP


def bootstrap_job(objects: list[dict]) -> dict:
    return next(o for o in objects if is_bootstrap_job(o))


def job_container() -> dict:
    """The default environment's bootstrap Job container in dist/."""
    return bootstrap_job(dist_objects("default"))["spec"]["template"]["spec"]["containers"][0]


def run_job(api_url: str, account: Path) -> subprocess.CompletedProcess:
    """The Job's own command and args, by this Python instead of the image's python3."""
    account.mkdir(exist_ok=True)
    (account / "token").write_text(TOKEN + "\n", encoding="utf-8")
    env = {"SERVICE_ACCOUNT_DIR": str(account), "KUBERNETES_API_URL": api_url, "PATH": "/usr/bin:/bin"}
    return run_hook(CONTAINER, env)


CONTAINER = job_container()
NAMESPACE, NAME, *KEYS = CONTAINER["args"]


@pytest.fixture
def api() -> SecretsApi:
    return SecretsApi()


@pytest.mark.real
def test_first_run_creates_every_key_with_a_random_64_hex_value(api, tmp_path):
    with serving(api) as url:
        result = run_job(url, tmp_path / "account")
    assert result.returncode == 0, result.stderr
    values = api.data(NAMESPACE, NAME)
    assert sorted(values) == sorted(KEYS)
    assert all(HEX64.match(value) for value in values.values()), values
    assert len(set(values.values())) == len(KEYS), "every key gets its own value"
    assert [(method, path) for method, path, _ in api.writes()] == [("POST", f"/api/v1/namespaces/{NAMESPACE}/secrets")]


@pytest.mark.real
def test_second_run_changes_nothing(api, tmp_path):
    with serving(api) as url:
        assert run_job(url, tmp_path / "account").returncode == 0
        before, writes = api.data(NAMESPACE, NAME), len(api.writes())
        second = run_job(url, tmp_path / "account")
    assert second.returncode == 0, second.stderr
    assert api.data(NAMESPACE, NAME) == before, "an existing secret was rotated"
    assert len(api.writes()) == writes, "the second run wrote to the API"


@pytest.mark.real
def test_a_missing_key_is_added_and_existing_values_are_kept(api, tmp_path):
    kept = {key: base64.b64encode(f"existing-{key}".encode()).decode() for key in KEYS[:-1]}
    api.seed(NAMESPACE, NAME, kept)
    with serving(api) as url:
        result = run_job(url, tmp_path / "account")
    assert result.returncode == 0, result.stderr
    values = api.data(NAMESPACE, NAME)
    assert {key: values[key] for key in KEYS[:-1]} == {key: f"existing-{key}" for key in KEYS[:-1]}
    assert HEX64.match(values[KEYS[-1]])
    ((method, _, body),) = api.writes()
    assert method == "PATCH" and sorted(body["data"]) == [KEYS[-1]], "only the missing key is sent"


@pytest.mark.real
def test_a_secret_created_by_another_run_meanwhile_is_kept(api, tmp_path):
    """Two runs race: ours gets 409 on create, re-reads, and keeps the other run's values."""
    theirs = {key: base64.b64encode(b"a" * 64).decode() for key in KEYS}
    api.create_racer = {"metadata": {"name": NAME}, "data": theirs}
    with serving(api) as url:
        result = run_job(url, tmp_path / "account")
    assert result.returncode == 0, result.stderr
    assert api.secrets[(NAMESPACE, NAME)]["data"] == theirs
    assert [method for method, _, _ in api.writes()] == ["POST"]


@pytest.mark.real
def test_a_key_added_by_another_run_meanwhile_is_not_overwritten(api, tmp_path):
    """Between our read and our patch another run adds the key: the patch's resourceVersion makes it a 409."""
    api.seed(NAMESPACE, NAME, {key: base64.b64encode(b"old").decode() for key in KEYS[:-1]})
    api.patch_racer = {KEYS[-1]: base64.b64encode(b"theirs").decode()}
    with serving(api) as url:
        result = run_job(url, tmp_path / "account")
    assert result.returncode == 0, result.stderr
    assert api.data(NAMESPACE, NAME)[KEYS[-1]] == "theirs", "a value another run wrote was replaced"


@pytest.mark.real
@pytest.mark.parametrize("method, code", [("GET", 403), ("POST", 500), ("PATCH", 422)])
def test_an_api_error_fails_the_job(api, tmp_path, method, code):
    if method == "PATCH":
        api.seed(NAMESPACE, NAME, {})
    api.failures[method] = code
    with serving(api) as url:
        result = run_job(url, tmp_path / "account")
    assert result.returncode != 0
    assert f"HTTP {code}" in result.stderr


@pytest.mark.real
def test_a_secret_that_keeps_changing_fails_the_job_instead_of_overwriting(api, tmp_path):
    api.seed(NAMESPACE, NAME, {})
    api.failures["PATCH"] = 409
    with serving(api) as url:
        result = run_job(url, tmp_path / "account")
    assert result.returncode != 0
    assert "kept changing" in result.stderr
    assert [method for method, _, _ in api.writes()] == ["PATCH"] * 5


@pytest.mark.real
def test_an_unreachable_api_fails_the_job(tmp_path):
    with serving(SecretsApi()) as url:
        pass  # the port is closed again
    result = run_job(url, tmp_path / "account")
    assert result.returncode != 0
    assert f"cannot reach the Kubernetes API at {url}" in result.stderr


@pytest.mark.real
@pytest.mark.parametrize("trusted", [True, False], ids=["trusted-ca", "unknown-ca"])
def test_https_api_is_verified_with_the_service_account_ca(api, tmp_path, trusted):
    cert, key = self_signed(tmp_path, "api")
    account = tmp_path / "account"
    account.mkdir()
    (account / "ca.crt").write_bytes((cert if trusted else self_signed(tmp_path, "other")[0]).read_bytes())
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    with serving(api, tls) as url:
        result = run_job(url, account)
    assert (result.returncode == 0) == trusted, result.stderr
    assert ((NAMESPACE, NAME) in api.secrets) == trusted
    assert trusted or "CERTIFICATE_VERIFY_FAILED" in result.stderr


# --- the Job and its Role in dist/ -------------------------------------------------------------


def hub_secret_readers(objects: list[dict], secret: str) -> set[str]:
    """Keys of `secret` the hub and proxy containers read."""
    return {
        env["valueFrom"]["secretKeyRef"]["key"]
        for component in ("hub", "proxy")
        for env in deployment_container(objects, component).get("env", [])
        if env.get("valueFrom", {}).get("secretKeyRef", {}).get("name") == secret
    }


ENVIRONMENTS_WITH_JOB = [env for env in ENVIRONMENTS if any(is_bootstrap_job(o) for o in dist_objects(env))]


@pytest.mark.output
def test_every_environment_that_does_not_bring_its_secret_has_the_job():
    for env in ENVIRONMENTS:
        config = load_file(ROOT / "environments" / f"{env}.yaml", f"environments/{env}.yaml").config
        assert (env in ENVIRONMENTS_WITH_JOB) == (config.secrets.existing_secret is None), env


@pytest.mark.output
@pytest.mark.parametrize("env", ENVIRONMENTS_WITH_JOB)
def test_job_runs_this_script_for_the_secret_the_hub_and_proxy_read(env):
    objects = dist_objects(env)
    config = load_file(ROOT / "environments" / f"{env}.yaml", f"environments/{env}.yaml").config
    job = bootstrap_job(objects)
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    kube_api, script = hook_sources(container)
    assert (kube_api, script) == (hook_file("kube_api.py").read_text(), hook_file("ensure_secret.py").read_text())
    namespace, secret, *keys = container["args"]
    assert namespace == config.namespace == job["metadata"]["namespace"]
    token_ref = next(e for e in deployment_container(objects, "proxy")["env"] if e["name"] == "CONFIGPROXY_AUTH_TOKEN")
    assert secret == token_ref["valueFrom"]["secretKeyRef"]["name"]
    assert hub_secret_readers(objects, secret) <= set(keys), "the hub would wait for a key the Job never creates"
    assert len(keys) == len(set(keys))
    assert container["image"] == config.hub.image, "the script needs only the hub image's Python"
    assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"


@pytest.mark.output
@pytest.mark.parametrize("env", ENVIRONMENTS_WITH_JOB)
def test_job_role_allows_only_get_and_patch_on_its_secret_and_create(env):
    objects = dist_objects(env)
    pod = bootstrap_job(objects)["spec"]["template"]["spec"]
    account = pod["serviceAccountName"]
    secret = pod["containers"][0]["args"][1]
    bindings = [
        o
        for o in objects
        if o["kind"] == "RoleBinding" and {"kind": "ServiceAccount", "name": account} in o["subjects"]
    ]
    assert len(bindings) == 1
    role = find(objects, "Role", bindings[0]["roleRef"]["name"])
    rules = sorted(
        (tuple(r["apiGroups"]), tuple(r["resources"]), tuple(sorted(r["verbs"])), tuple(r.get("resourceNames", [])))
        for r in role["rules"]
    )
    assert rules == [(("",), ("secrets",), ("create",), ()), (("",), ("secrets",), ("get", "patch"), (secret,))]
    assert pod["automountServiceAccountToken"] is True, "the script authenticates with the mounted token"
