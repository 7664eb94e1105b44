"""Create the hub's Secret once, in-cluster; never rotate what exists.

Runs inside the bootstrap Job (an ArgoCD PreSync hook) with only the Python
standard library of the hub image. Usage: ensure_secret.py NAMESPACE NAME KEY...

- Secret missing: create it with a random 32-byte hex value per key.
- Secret present: keep every existing value; add only keys that are missing
  (e.g. crypt-key once auth_state is turned on).
- Another run created or changed it meanwhile (409): read it again, never overwrite.
"""

import base64
import secrets
import sys

from kube_api import API, call


def fresh_value():
    return base64.b64encode(secrets.token_hex(32).encode()).decode()


def ensure(namespace, name, keys, attempts=5):
    path = f"/api/v1/namespaces/{namespace}/secrets/{name}"
    for _ in range(attempts):
        status, secret = call("GET", path)
        if status == 404:
            body = {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "jupyterhub-cdk8s"}},
                "type": "Opaque",
                "data": {key: fresh_value() for key in keys},
            }
            status, _ = call("POST", f"/api/v1/namespaces/{namespace}/secrets", body)
            if status == 201:
                print("created secret {} with keys {}".format(name, ", ".join(keys)))
                return 0
            if status != 409:
                print(f"creating secret {name} failed with HTTP {status}", file=sys.stderr)
                return 1
            continue  # another run created it meanwhile: read what it wrote
        if status != 200:
            print(f"reading secret {name} failed with HTTP {status}", file=sys.stderr)
            return 1
        missing = [key for key in keys if key not in (secret.get("data") or {})]
        if not missing:
            print(f"secret {name} already has every key; nothing changed")
            return 0
        # With the resourceVersion we read, the API refuses (409) the patch if another
        # run changed the Secret since: its values are then read again, never overwritten.
        patch = {
            "metadata": {"resourceVersion": secret["metadata"]["resourceVersion"]},
            "data": {key: fresh_value() for key in missing},
        }
        status, _ = call("PATCH", path, patch, content_type="application/merge-patch+json")
        if status == 200:
            print("added keys {} to secret {}; existing keys kept".format(", ".join(missing), name))
            return 0
        if status != 409:
            print(f"adding keys to secret {name} failed with HTTP {status}", file=sys.stderr)
            return 1
    print(f"secret {name} kept changing under {attempts} attempts; giving up", file=sys.stderr)
    return 1


if __name__ == "__main__":
    try:
        sys.exit(ensure(sys.argv[1], sys.argv[2], sys.argv[3:]))
    except OSError as error:  # unreachable API server, bad CA, missing token file
        print(f"cannot reach the Kubernetes API at {API}: {error}", file=sys.stderr)
        sys.exit(1)
