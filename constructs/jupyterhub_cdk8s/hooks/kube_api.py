"""The Kubernetes API from inside a pod, with the Python standard library only.

Shared by the hook scripts next to it, which run in the hub image's Python
(no client library there). The API server is found as client-go's
`rest.InClusterConfig()` finds it: KUBERNETES_SERVICE_HOST and _PORT, which
the kubelet sets in every container, so no DNS lookup is needed and a
NetworkPolicy that opens only the API server suffices. Its certificate is
checked against the service account's CA; the token is the pod's own.
KUBERNETES_API_URL and SERVICE_ACCOUNT_DIR override both, for tests.
"""

import json
import os
import ssl
import urllib.error
import urllib.request

ACCOUNT = os.environ.get("SERVICE_ACCOUNT_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")


def api_url():
    if os.environ.get("KUBERNETES_API_URL"):
        return os.environ["KUBERNETES_API_URL"]
    host = os.environ.get("KUBERNETES_SERVICE_HOST", "kubernetes.default.svc")
    if ":" in host:
        host = f"[{host}]"
    return "https://{}:{}".format(host, os.environ.get("KUBERNETES_SERVICE_PORT", "443"))


API = api_url()


def call(method, path, body=None, content_type="application/json", timeout=30):
    """(HTTP status, parsed body or {}) of one request; HTTP errors are statuses, unreachable raises OSError."""
    with open(os.path.join(ACCOUNT, "token")) as token_file:
        token = token_file.read().strip()
    request = urllib.request.Request(
        API + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + token, "Content-Type": content_type, "Accept": "application/json"},
    )
    context = None
    if API.startswith("https://"):
        context = ssl.create_default_context(cafile=os.path.join(ACCOUNT, "ca.crt"))
    try:
        with urllib.request.urlopen(request, context=context, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {}
