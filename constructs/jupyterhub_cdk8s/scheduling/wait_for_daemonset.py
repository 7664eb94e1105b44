"""Wait until a DaemonSet runs a ready pod on every node it wants, or give up after a timeout.

Runs in the pre-sync image puller's Job (an ArgoCD PreSync hook) with only the
Python standard library of the hub image. Usage:
wait_for_daemonset.py NAMESPACE NAME TIMEOUT_SECONDS [POLL_SECONDS]

Ready means the controller has seen the current spec (observedGeneration) and
every pod it schedules is ready (numberReady == desiredNumberScheduled): each
pod only gets ready after its init containers pulled every image. The exit
status is 0 even on timeout or API errors: pulling ahead saves users time but
must never block a deploy; the log says which case happened.
"""

import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.request

ACCOUNT = os.environ.get("SERVICE_ACCOUNT_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")
API = os.environ.get("KUBERNETES_API_URL", "https://kubernetes.default.svc")


def get(path):
    """(HTTP status, parsed body or {}) of a GET on the API server; status 0 when it cannot be reached."""
    with open(os.path.join(ACCOUNT, "token")) as token_file:
        token = token_file.read().strip()
    request = urllib.request.Request(
        API + path, headers={"Authorization": "Bearer " + token, "Accept": "application/json"}
    )
    context = None
    if API.startswith("https://"):
        context = ssl.create_default_context(cafile=os.path.join(ACCOUNT, "ca.crt"))
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, {}
    except (urllib.error.URLError, OSError, ValueError) as error:
        print(f"API server not reachable: {error}", file=sys.stderr)
        return 0, {}


def progress(daemonset):
    """(ready, message) of a DaemonSet object."""
    status = daemonset.get("status") or {}
    generation = (daemonset.get("metadata") or {}).get("generation", 0)
    if status.get("observedGeneration", 0) < generation:
        return False, "the DaemonSet controller has not seen the current spec yet"
    desired = status.get("desiredNumberScheduled", 0)
    ready = status.get("numberReady", 0)
    return desired == ready, f"{ready} of {desired} nodes have pulled every image"


def wait(namespace, name, timeout, poll):
    path = f"/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}"
    deadline = time.monotonic() + timeout
    last = None
    while True:
        status, daemonset = get(path)
        if status == 200:
            done, message = progress(daemonset)
        else:
            done, message = False, f"reading daemonset {name} returned HTTP {status}"
        if message != last:
            print(message, flush=True)
            last = message
        if done:
            print("images pulled on every node", flush=True)
            return 0
        if time.monotonic() + poll > deadline:
            print(
                f"gave up waiting after {timeout} seconds; the sync goes on, images not yet pulled are pulled at spawn"
            )
            return 0
        time.sleep(poll)


if __name__ == "__main__":
    sys.exit(wait(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) if len(sys.argv) > 4 else 5.0))
