"""Wait until DaemonSets run a ready pod on every node they want, or give up after a timeout.

Runs in the image awaiter Job (an Argo CD Sync hook ahead of the hub) with
only the Python standard library of the hub image. Usage:
wait_for_daemonsets.py NAMESPACE TIMEOUT_SECONDS POLL_SECONDS NAME...

Ready means the controller has seen the current spec (observedGeneration) and
every pod it schedules is ready (numberReady == desiredNumberScheduled): each
puller pod only gets ready after its init containers pulled every image. The
exit status is 0 even on timeout or API errors: pulling ahead saves users time
but must never block a deploy; the log says which case happened.
"""

import sys
import time

from kube_api import API, call


def progress(name, daemonset):
    """(ready, message) of one DaemonSet object."""
    status = daemonset.get("status") or {}
    generation = (daemonset.get("metadata") or {}).get("generation", 0)
    if status.get("observedGeneration", 0) < generation:
        return False, f"{name}: the DaemonSet controller has not seen the current spec yet"
    desired = status.get("desiredNumberScheduled", 0)
    ready = status.get("numberReady", 0)
    return desired == ready, f"{name}: {ready} of {desired} nodes have pulled every image"


def check(namespace, name):
    """(ready, message) of the DaemonSet `name`, as the API server reports it now."""
    try:
        status, daemonset = call("GET", f"/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}", timeout=10)
    except (OSError, ValueError) as error:
        return False, f"the Kubernetes API at {API} is not reachable: {error}"
    if status != 200:
        return False, f"reading daemonset {name} returned HTTP {status}"
    return progress(name, daemonset)


def wait(namespace, names, timeout, poll):
    deadline = time.monotonic() + timeout
    last = None
    while True:
        results = [check(namespace, name) for name in names]
        messages = "\n".join(message for _, message in results)
        if messages != last:
            print(messages, flush=True)
            last = messages
        if all(done for done, _ in results):
            print("images pulled on every node", flush=True)
            return 0
        if time.monotonic() + poll > deadline:
            print(
                f"gave up waiting after {timeout} seconds; the sync goes on, images not yet pulled are pulled at spawn"
            )
            return 0
        time.sleep(poll)


if __name__ == "__main__":
    sys.exit(wait(sys.argv[1], sys.argv[4:], int(sys.argv[2]), float(sys.argv[3])))
