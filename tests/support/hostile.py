"""The hostile-input catalogue: environment files and chart values that must be refused cleanly.

Each case is one file and the line it must produce: `file: field: ...fragment...`. They come from a
fault-injection review (issue 19) and from Kubernetes' own validation rules, by the class of failure
they once caused: 4 unbounded work, 5 silently wrong output, 6 output Kubernetes would reject,
8 import-z2jh on bad values, 9 messages. tests/test_hostile_input.py runs them through the command line.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .synthesis import MINIMAL

GOOD = textwrap.dedent(MINIMAL)
Write = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One hostile input: what it is, how it is written, and the problem it must be reported as."""

    id: str
    kind: int
    """The issue's class of failure: 4, 5, 6, 8 or 9."""
    write: Write
    field: str
    """The field the line names; "" for a problem of the file as a whole."""
    fragment: str
    """Part of the message that says what is wrong."""
    file: str = ""
    """The file's name, when it is not <id>.yaml."""

    @property
    def name(self) -> str:
        return self.file or f"{self.id}.yaml"


def text(content: str | bytes) -> Write:
    data = content.encode() if isinstance(content, str) else content
    return lambda path: path.write_bytes(data)


def env(id: str, kind: int, extra: str, field: str, fragment: str, *, swap: tuple[str, str] | None = None) -> Case:
    """The minimal environment, with one line replaced (`swap`) and/or settings appended (`extra`)."""
    base = GOOD.replace(*swap) if swap else GOOD
    assert swap is None or base != GOOD, swap
    return Case(id, kind, text(base + extra), field, fragment)


def bomb(levels: int, width: int = 9) -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def merge_bomb(levels: int) -> str:
    lines = ["m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8}"]
    lines += [f"m{i}: &m{i} [{', '.join([f'*m{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


LIMIT = "values once its aliases (*name) are expanded"
DEEP = "nests deeper than 32 levels"
TWICE = "written twice"
NOT_PLAIN = "is not plain YAML"
WHOLE = "is not a whole number"
MOST = "is more than the most it takes"
LEAST = "is less than the least it takes"
LABEL_KEY = "is not a label key"
LABEL_VALUE = "is not a label value"
ANNOTATION_KEY = "is not an annotation key"
CLASS = "is not a class name"
OWN_NS = "is one of the cluster's own namespaces"
RELEASE = "cannot start the names of this environment's objects"
HOST = "is not a valid host name"
SUFFIX = "environment files end in .yaml and this one is not read"


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _directory(path: Path) -> None:
    path.mkdir()
    (path / "inside.yaml").write_text(GOOD)


def _link(target: str) -> Write:
    return lambda path: path.symlink_to(target)


ENVIRONMENT_CASES: list[Case] = [
    # --- 4: unbounded work from small input -------------------------------------------------------------
    Case("bomb-9", 4, text(GOOD + bomb(9)), "a5[0]", LIMIT),
    Case("bomb-top", 4, text(bomb(12)), "a5[0]", LIMIT),
    Case("bomb-wide", 4, text(bomb(3, width=400)), "a1[248]", LIMIT),
    Case("bomb-pairs", 4, text(bomb(40, width=2)), "a14[1]", LIMIT),
    Case("bomb-merge", 4, text(GOOD + merge_bomb(8)), "m4[4]", LIMIT),
    Case(
        "bomb-in-setting",
        4,
        text(
            GOOD
            + "singleuser:\n  extra_env: {}\n"
            + textwrap.indent(bomb(9), "#")
            + "  lifecycle: {post_start: &c [a, b, c, d, e, f, g, h, i, j]}\n"
            + "".join(f"  x{i}: &c{i} [{', '.join([f'*c{i - 1}' if i else '*c'] * 10)}]\n" for i in range(6))
        ),
        "singleuser.x3[7]",
        LIMIT,
    ),
    Case("deep-flow-list", 4, text(GOOD + "x: " + "[" * 100_000 + "]" * 100_000 + "\n"), "x" + "[0]" * 31, DEEP),
    Case("deep-flow-map", 4, text(GOOD + "x: " + "{a: " * 20_000 + "1" + "}" * 20_000 + "\n"), "x" + ".a" * 31, DEEP),
    Case(
        "deep-block", 4, text(GOOD + "x:\n" + "".join(" " * i + "- \n" for i in range(1, 99))), "x" + "[0]" * 31, DEEP
    ),
    Case("deep-compact", 4, text(GOOD + "x:\n" + "- " * 5000 + "1\n"), "x" + "[0]" * 31, DEEP),
    Case("deep-top-level", 4, text("- " * 100_000 + "x\n"), "[0]" * 32, DEEP),
    Case(
        "deep-keys",
        4,
        text(GOOD + "".join("  " * i + f"k{i}:\n" for i in range(40)) + "  " * 40 + "v\n"),
        "k0" + "".join(f".k{i}" for i in range(1, 32)),
        DEEP,
    ),
    Case("self-list", 4, text(GOOD + "x: &loop [1, *loop]\n"), "x[1]", "a value cannot hold itself"),
    Case("self-map", 4, text(GOOD + "x: &loop {a: *loop}\n"), "x.a", "a value cannot hold itself"),
    Case("too-big", 4, text(GOOD + "#" * (1024 * 1024 + 1) + "\n"), "", "is larger than 1024 KiB"),
    Case("too-big-value", 4, text(GOOD + "hub: {extra_config: {a: '" + "x" * (1024 * 1024) + "'}}\n"), "", "1024 KiB"),
    Case("digits-5000", 4, text(GOOD + "singleuser: {uid: " + "7" * 5000 + "}\n"), "singleuser.uid", "5000 digits"),
    Case("digits-50", 4, text(GOOD + "quota: {gpus: " + "9" * 50 + "}\n"), "quota.gpus", "50 digits"),
    env(
        "capacity-5000-digits",
        4,
        f"singleuser: {{storage: {{capacity: {'9' * 5000}Gi}}}}\n",
        "singleuser.storage.capacity",
        "is more than a Kubernetes quantity holds",
    ),
    env(
        "cpu-float-1e300",
        4,
        "singleuser: {cpu: {limit: 1.0e+300}}\n",
        "singleuser.cpu.limit",
        "is more than a Kubernetes quantity holds",
    ),
    env(
        "memory-beyond-int64",
        6,
        "singleuser: {memory: {limit: 9000000000Gi}}\n",
        "singleuser.memory.limit",
        "is more than a Kubernetes quantity holds",
    ),
    env(
        "quota-storage-beyond-int64",
        6,
        "quota: {storage: 10Ei}\n",
        "quota.storage",
        "is more than a Kubernetes quantity holds",
    ),
    env(
        "cpu-too-fine",
        5,
        "singleuser: {cpu: {limit: '0.0005'}}\n",
        "singleuser.cpu.limit",
        "is finer than a thousandth of its unit, which Kubernetes rounds up",
    ),
    env(
        "memory-too-fine",
        5,
        "singleuser: {memory: {limit: 1.0000000001Gi}}\n",
        "singleuser.memory.limit",
        "is finer than a thousandth of its unit",
    ),
    env(
        "placeholders-1e20",
        4,
        "scheduling: {user_placeholders: {replicas: 100000000000000000000}}\n",
        "scheduling.user_placeholders.replicas",
        MOST,
    ),
    env(
        "scheduler-3e9",
        4,
        "scheduling: {user_scheduler: {replicas: 3000000000}}\n",
        "scheduling.user_scheduler.replicas",
        MOST,
    ),
    env(
        "spawn-limit-1e30",
        4,
        "hub: {concurrent_spawn_limit: 1000000000000000000000000000000}\n",
        "hub.concurrent_spawn_limit",
        MOST,
    ),
    env(
        "culler-every-2e9",
        4,
        "singleuser: {culling: {every: 2200000000, timeout: 2200000000}}\n",
        "singleuser.culling.every",
        MOST,
    ),
    env(
        "named-servers-1e12",
        4,
        "hub: {named_servers: {enabled: true, limit_per_user: 1000000000000}}\n",
        "hub.named_servers.limit_per_user",
        MOST,
    ),
    env(
        "retry-1e19",
        4,
        "gitops: {repo_url: 'https://g.example/r.git', retry: {limit: 10000000000000000000}}\n",
        "gitops.retry.limit",
        MOST,
    ),
    Case("fifo", 4, _fifo, "", "is a named pipe, not a file"),
    Case("directory", 4, _directory, "", "is a directory, not a file"),
    Case("dev-zero", 4, _link("/dev/zero"), "", "is a device, not a file"),
    Case("dev-null", 4, _link("/dev/null"), "", "is a device, not a file"),
    Case("dangling", 4, _link("/nonexistent/env.yaml"), "", "cannot be read: No such file or directory"),
    Case(
        "many-problems",
        4,
        text(GOOD + "scheduling: {image_puller: {extra_images: [" + ", ".join(["x"] * 20000) + "]}}\n"),
        "",
        "50 of 20000 problems shown",
    ),
    Case(
        "many-keys",
        4,
        text(GOOD + "singleuser: {extra_env: {" + ", ".join(f"K{i}: v" for i in range(60000)) + "}}\n"),
        "singleuser.extra_env.K49984",
        LIMIT,
    ),
    Case("many-documents", 4, text(GOOD + "---\na: 1\n" * 20000), "", "expected a single document"),
    Case(
        "long-key", 4, text(GOOD + "? " + "k" * 200_000 + "\n: 1\n"), "k" * 45 + "...(200000 characters)", "unknown key"
    ),
    Case("long-value", 4, text(GOOD.replace("hub.example.com", "h" * 500_000)), "host", "...(500002 characters)"),
    Case("nul-byte", 4, text(GOOD + "hub: {base_url: \x00}\n"), "", "the character #x0000 is not allowed"),
    Case("not-utf8", 4, text(GOOD.encode() + b"host2: \xff\xfe\n"), "", "is not UTF-8 text: byte 0xff on line 10"),
    Case("utf16", 4, text(GOOD.encode("utf-16")), "", "is not UTF-8 text"),
    Case("tab-indent", 4, text(GOOD + "hub:\n\tlog_level: INFO\n"), "", "not valid YAML at line 11"),
    Case("unclosed", 4, text(GOOD + "hub: {log_level: [INFO\n"), "", "not valid YAML"),
    Case("undefined-alias", 4, text(GOOD + "hub: *nothing\n"), "", "found undefined alias"),
    Case("empty", 4, text(""), "", "must be a YAML mapping of settings"),
    Case("only-comment", 4, text("# nothing\n"), "", "must be a YAML mapping of settings"),
    Case("a-list", 4, text("- namespace: x\n"), "", "must be a YAML mapping of settings"),
    Case("a-scalar", 4, text("namespace\n"), "", "must be a YAML mapping of settings"),
    # --- 5: silently wrong output ------------------------------------------------------------------------
    env(
        "dup-long-key",
        5,
        f"hub:\n  ? {'k' * 100_000}\n  : 1\n  ? {'k' * 100_000}\n  : 2\n",
        f"hub.{'k' * 45}...(100000 characters)",
        TWICE,
    ),
    env("dup-top", 5, "namespace: other\n", "namespace", TWICE),
    env("dup-nested", 5, "hub: {log_level: INFO, log_level: DEBUG}\n", "hub.log_level", TWICE),
    env("dup-block", 5, "hub:\n  log_level: INFO\n  base_url: /\n  log_level: DEBUG\n", "hub.log_level", TWICE),
    env(
        "dup-in-list",
        5,
        "singleuser:\n  profiles:\n  - {display_name: a, slug: a, slug: b, default: true}\n",
        "singleuser.profiles[0].slug",
        TWICE,
    ),
    env("dup-map-key", 5, "singleuser: {extra_env: {A: x, A: y}}\n", "singleuser.extra_env.A", TWICE),
    env("dup-merge", 5, "x-a: &a {b: 1}\nhub: {<<: *a, <<: *a}\n", "hub.<<", TWICE),
    env("dup-quoted", 5, "hub: {log_level: INFO, 'log_level': DEBUG}\n", "hub.log_level", TWICE),
    env("uid-true", 5, "singleuser: {uid: true}\n", "singleuser.uid", WHOLE),
    env("gid-false", 5, "singleuser: {fs_gid: false}\n", "singleuser.fs_gid", WHOLE),
    env("uid-yes", 5, "singleuser: {uid: yes}\n", "singleuser.uid", WHOLE),
    env("replicas-float", 5, "hub: {replicas: 1.0}\n", "hub.replicas", WHOLE),
    env("timeout-string", 5, "singleuser: {start_timeout: '300'}\n", "singleuser.start_timeout", WHOLE),
    env(
        "weight-float",
        5,
        "scheduling: {user_scheduler: {cpu_weight: 1.5}}\n",
        "scheduling.user_scheduler.cpu_weight",
        WHOLE,
    ),
    env("priority-exp", 5, "scheduling: {priorities: {core: 1e3}}\n", "scheduling.priorities.core", WHOLE),
    env("enabled-yes-quoted", 5, "ingress: {enabled: 'yes'}\n", "ingress.enabled", "is not true or false"),
    env("enabled-one", 5, "ingress: {enabled: 1}\n", "ingress.enabled", "is not true or false"),
    env("production-string", 5, "production: 'false'\n", "production", "is not true or false"),
    env("uid-1e30", 5, "singleuser: {uid: 1000000000000000000000000000000}\n", "singleuser.uid", MOST),
    env("gid-float-1e30", 5, "singleuser: {fs_gid: 1.0e+30}\n", "singleuser.fs_gid", WHOLE),
    env(
        "threshold-inf",
        5,
        "monitoring: {alerts: {pending_spawns: {threshold: .inf}}}\n",
        "monitoring.alerts.pending_spawns.threshold",
        "is not a finite number",
    ),
    env(
        "threshold-nan",
        5,
        "monitoring: {alerts: {spawn_duration_p90: {threshold: .nan}}}\n",
        "monitoring.alerts.spawn_duration_p90.threshold",
        "is not a finite number",
    ),
    env(
        "threshold-text",
        5,
        "monitoring: {alerts: {quota: {threshold: '0.9'}}}\n",
        "monitoring.alerts.quota.threshold",
        "is not a number",
    ),
    env(
        "set-command",
        5,
        "singleuser: {lifecycle: {post_start: !!set {pip, install}}}\n",
        "singleuser.lifecycle.post_start",
        NOT_PLAIN,
    ),
    env("omap", 5, "singleuser: {extra_env: !!omap [A: x]}\n", "singleuser.extra_env", NOT_PLAIN),
    env("pairs", 5, "singleuser: {extra_env: !!pairs [A: x]}\n", "singleuser.extra_env", NOT_PLAIN),
    env("binary", 5, "hub: {branding: {logo_svg: !!binary PHN2Zz4=}}\n", "hub.branding.logo_svg", NOT_PLAIN),
    env(
        "timestamp-tag",
        5,
        "gitops: {repo_url: 'https://g.example/r.git', target_revision: !!timestamp 2024-01-01}\n",
        "gitops.target_revision",
        NOT_PLAIN,
    ),
    env("python-tag", 5, "hub: {log_level: !!python/name:os.system INFO}\n", "hub.log_level", NOT_PLAIN),
    env("custom-tag", 5, "hub: {log_level: !debug INFO}\n", "hub.log_level", NOT_PLAIN),
    env("bare-tag", 5, "hub: {log_level: ! INFO}\n", "hub.log_level", NOT_PLAIN),
    env("version-float", 5, "kubernetes_version: 1.30\n", "kubernetes_version", "is a number to YAML"),
    env("env-value-int", 5, "singleuser: {extra_env: {RETRIES: 3}}\n", "singleuser.extra_env.RETRIES", "is not text"),
    env("env-value-bool", 5, "singleuser: {extra_env: {DEBUG: true}}\n", "singleuser.extra_env.DEBUG", "is not text"),
    env("tag-as-number", 5, "singleuser: {image: 4.4}\n", "singleuser.image", "is not a container image"),
    env(
        "date-as-text",
        5,
        "gitops: {repo_url: 'https://g.example/r.git', target_revision: 2024-01-01, x: 1}\n",
        "gitops.x",
        "unknown key",
    ),
    env(
        "port-string",
        5,
        "network_policy: {api_server: {ports: ['443']}}\n",
        "network_policy.api_server.ports[0]",
        WHOLE,
    ),
    env("cpu-bool", 5, "singleuser: {cpu: {limit: true}}\n", "singleuser.cpu.limit", "must be a quantity"),
    Case("suffix-yml", 5, text(GOOD), "", "rename it to prod.yaml", file="prod.yml"),
    Case("suffix-upper", 5, text(GOOD), "", "rename it to stage.yaml", file="stage.YAML"),
    Case("suffix-mixed", 5, text(GOOD), "", "rename it to qa.yaml", file="qa.Yml"),
    Case("suffix-yml-upper", 5, text(GOOD), "", "rename it to dev.yaml", file="DEV.YML"),
    # --- 6: output Kubernetes would reject ---------------------------------------------------------------
    env("release-digit", 6, "name: 1hub\n", "name", RELEASE),
    env("release-45", 6, f"name: {'r' * 45}\n", "name", RELEASE),
    env("release-63", 6, f"name: {'r' * 63}\n", "name", RELEASE),
    env("release-upper", 6, "name: JupyterHub\n", "name", "is not a valid Kubernetes name"),
    env("release-underscore", 6, "name: jupyter_hub\n", "name", "is not a valid Kubernetes name"),
    env("ns-kube-system", 6, "", "namespace", OWN_NS, swap=("namespace: hub-test", "namespace: kube-system")),
    env("ns-kube-public", 6, "", "namespace", OWN_NS, swap=("namespace: hub-test", "namespace: kube-public")),
    env("ns-node-lease", 6, "", "namespace", OWN_NS, swap=("namespace: hub-test", "namespace: kube-node-lease")),
    env("ns-kube-other", 6, "", "namespace", OWN_NS, swap=("namespace: hub-test", "namespace: kube-flannel")),
    env("ns-default", 6, "", "namespace", OWN_NS, swap=("namespace: hub-test", "namespace: default")),
    env("ns-openshift", 6, "", "namespace", OWN_NS, swap=("namespace: hub-test", "namespace: openshift")),
    env("ns-openshift-x", 6, "", "namespace", OWN_NS, swap=("namespace: hub-test", "namespace: openshift-monitoring")),
    env("ns-64", 6, "", "namespace", "is not a valid Kubernetes name", swap=("hub-test", "n" * 64)),
    env("ns-upper", 6, "", "namespace", "is not a valid Kubernetes name", swap=("hub-test", "Hub")),
    env("host-ipv4", 6, "", "host", "is an IP address", swap=("hub.example.com", "10.0.0.1")),
    env("host-ipv6", 6, "", "host", "is an IP address", swap=("hub.example.com", "'2001:db8::1'")),
    env("host-port", 6, "", "host", HOST, swap=("hub.example.com", "'hub.example.com:443'")),
    env("host-scheme", 6, "", "host", HOST, swap=("hub.example.com", "https://hub.example.com")),
    env("host-upper", 6, "", "host", HOST, swap=("hub.example.com", "Hub.Example.com")),
    env("host-wildcard", 6, "", "host", HOST, swap=("hub.example.com", "'*.example.com'")),
    env("host-label-64", 6, "", "host", HOST, swap=("hub.example.com", "h" * 64 + ".example.com")),
    env(
        "egress-port-0",
        6,
        "network_policy: {user_egress: [{cidr: 10.1.0.0/16, ports: [0]}]}\n",
        "network_policy.user_egress[0].ports[0]",
        LEAST,
    ),
    env(
        "egress-port-neg",
        6,
        "network_policy: {user_egress: [{cidr: 10.1.0.0/16, ports: [-1]}]}\n",
        "network_policy.user_egress[0].ports[0]",
        LEAST,
    ),
    env(
        "egress-port-70000",
        6,
        "network_policy: {user_egress: [{cidr: 10.1.0.0/16, ports: [70000]}]}\n",
        "network_policy.user_egress[0].ports[0]",
        MOST,
    ),
    env(
        "egress-port-99999",
        6,
        "network_policy: {user_egress: [{cidr: 10.1.0.0/16, ports: [80, 99999]}]}\n",
        "network_policy.user_egress[0].ports[1]",
        MOST,
    ),
    env("api-port-0", 6, "network_policy: {api_server: {ports: [0]}}\n", "network_policy.api_server.ports[0]", LEAST),
    env(
        "db-port-70000",
        6,
        "hub: {database: {type: postgresql, url_secret: {name: db, key: url}}}\n"
        "network_policy: {database: {cidrs: [10.0.5.10/32], port: 70000}}\n",
        "network_policy.database.port",
        MOST,
    ),
    Case(
        "idp-port-0",
        6,
        text(
            GOOD.split("auth:")[0] + "auth: {type: github, client_id: x, client_secret: {name: gh, key: s}, "
            "allow_all: true, egress: [{public_internet: true, ports: [0]}]}\n"
        ),
        "auth.egress[0].ports[0]",
        LEAST,
    ),
    env(
        "service-port-0",
        6,
        "platform_services: {services: [{name: t, kind: trino, host: t.data, port: 0}]}\n",
        "platform_services.services[0].port",
        LEAST,
    ),
    env(
        "target-port-70000",
        6,
        "platform_services: {services: [{name: t, kind: trino, host: t.data, port: 8080, target_port: 70000}]}\n",
        "platform_services.services[0].target_port",
        MOST,
    ),
    env(
        "spark-port-80",
        6,
        "platform_services: {spark: {enabled: true, driver_port: 80}}\n",
        "platform_services.spark.driver_port",
        LEAST,
    ),
    env("uid-int64", 6, "singleuser: {uid: 9223372036854775807}\n", "singleuser.uid", MOST),
    env("uid-int32-plus", 6, "singleuser: {uid: 2147483648}\n", "singleuser.uid", MOST),
    env("gid-int64", 6, "singleuser: {fs_gid: 9223372036854775808}\n", "singleuser.fs_gid", MOST),
    env("uid-negative", 6, "singleuser: {uid: -1}\n", "singleuser.uid", LEAST),
    env("gid-negative", 6, "singleuser: {fs_gid: -1}\n", "singleuser.fs_gid", LEAST),
    env("priority-2e9", 6, "scheduling: {priorities: {core: 2000000000}}\n", "scheduling.priorities.core", MOST),
    env(
        "priority-min",
        6,
        "scheduling: {priorities: {placeholder: -3000000000}}\n",
        "scheduling.priorities.placeholder",
        LEAST,
    ),
    env("quota-gpus-2e9", 6, "quota: {gpus: 3000000000}\n", "quota.gpus", MOST),
    env("quota-pvcs-0", 6, "quota: {persistent_volume_claims: 0}\n", "quota.persistent_volume_claims", LEAST),
    env(
        "gpu-choice-3e9",
        6,
        "singleuser:\n  gpu_nodes: {node_selector: {gpu: 'yes'}, tolerations: [{key: g}]}\n"
        "  profiles:\n  - display_name: G\n    slug: g\n    default: true\n    options:\n      n: {kind: gpu, "
        "display_name: N, default: a, choices: {a: {display_name: A, value: 3000000000}}}\n",
        "singleuser.profiles[0].options.n.choices.a.value",
        "is not a GPU count",
    ),
    env(
        "selector-key-space",
        6,
        "scheduling: {user_pods: {node_selector: {'node pool': a}}}\n",
        "scheduling.user_pods.node_selector.node pool",
        LABEL_KEY,
    ),
    env(
        "selector-key-slashes",
        6,
        "scheduling: {user_pods: {node_selector: {a/b/c: x}}}\n",
        "scheduling.user_pods.node_selector.a/b/c",
        LABEL_KEY,
    ),
    env(
        "selector-key-prefix",
        6,
        "scheduling: {user_pods: {node_selector: {Example.com/pool: x}}}\n",
        "scheduling.user_pods.node_selector.Example.com/pool",
        LABEL_KEY,
    ),
    env(
        "selector-key-64",
        6,
        f"scheduling: {{user_pods: {{node_selector: {{{'k' * 64}: x}}}}}}\n",
        f"scheduling.user_pods.node_selector.{'k' * 45}...(64 characters)",
        LABEL_KEY,
    ),
    env(
        "selector-key-empty-prefix",
        6,
        "scheduling: {user_pods: {node_selector: {/pool: x}}}\n",
        "scheduling.user_pods.node_selector./pool",
        LABEL_KEY,
    ),
    env(
        "selector-value-space",
        6,
        "scheduling: {user_pods: {node_selector: {pool: 'a b'}}}\n",
        "scheduling.user_pods.node_selector.pool",
        LABEL_VALUE,
    ),
    env(
        "selector-value-64",
        6,
        f"scheduling: {{user_pods: {{node_selector: {{pool: {'v' * 64}}}}}}}\n",
        "scheduling.user_pods.node_selector.pool",
        LABEL_VALUE,
    ),
    env(
        "selector-value-dash",
        6,
        "scheduling: {user_pods: {node_selector: {pool: -x}}}\n",
        "scheduling.user_pods.node_selector.pool",
        LABEL_VALUE,
    ),
    env(
        "gpu-selector-value",
        6,
        "singleuser: {gpu_nodes: {node_selector: {gpu: 'true!'}}}\n",
        "singleuser.gpu_nodes.node_selector.gpu",
        LABEL_VALUE,
    ),
    env(
        "ingress-pod-labels",
        6,
        "network_policy: {ingress_controller: {namespace: ing, pod_labels: {'a b': x}}}\n",
        "network_policy.ingress_controller.pod_labels.a b",
        LABEL_KEY,
    ),
    env(
        "dns-pod-labels",
        6,
        "network_policy: {dns: {pods: [{namespace: kube-system, pod_labels: {k8s-app: 'kube dns'}}]}}\n",
        "network_policy.dns.pods[0].pod_labels.k8s-app",
        LABEL_VALUE,
    ),
    env(
        "prometheus-labels",
        6,
        "monitoring: {prometheus: {pod_labels: {'-x': y}}}\n",
        "monitoring.prometheus.pod_labels.-x",
        LABEL_KEY,
    ),
    env(
        "selector-labels",
        6,
        "monitoring: {prometheus: {selector_labels: {release: 'kube prometheus'}}}\n",
        "monitoring.prometheus.selector_labels.release",
        LABEL_VALUE,
    ),
    env(
        "sidecar-labels",
        6,
        "monitoring: {dashboards: {sidecar_labels: {grafana_dashboard: '1 '}}}\n",
        "monitoring.dashboards.sidecar_labels.grafana_dashboard",
        LABEL_VALUE,
    ),
    env(
        "folder-annotation",
        6,
        "monitoring: {dashboards: {folder_annotation: 'grafana folder'}}\n",
        "monitoring.dashboards.folder_annotation",
        ANNOTATION_KEY,
    ),
    env(
        "ingress-annotation-space",
        6,
        "ingress: {annotations: {'my note': x}}\n",
        "ingress.annotations.my note",
        ANNOTATION_KEY,
    ),
    env(
        "ingress-annotation-slashes",
        6,
        "ingress: {annotations: {'a/b/c': x}}\n",
        "ingress.annotations.a/b/c",
        ANNOTATION_KEY,
    ),
    env(
        "ingress-annotation-value",
        6,
        "ingress: {annotations: {example.com/n: 1}}\n",
        "ingress.annotations.example.com/n",
        "is not text",
    ),
    env(
        "service-annotation",
        6,
        "proxy: {service: {annotations: {'-lb': x}}}\n",
        "proxy.service.annotations.-lb",
        ANNOTATION_KEY,
    ),
    env("ingress-class-space", 6, "ingress: {class_name: 'nginx public'}\n", "ingress.class_name", CLASS),
    env("ingress-class-upper", 6, "ingress: {class_name: NGINX}\n", "ingress.class_name", CLASS),
    env("ingress-class-underscore", 6, "ingress: {class_name: my_nginx}\n", "ingress.class_name", CLASS),
    env(
        "hub-storage-class",
        6,
        "hub: {database: {type: sqlite, storage_class: fast_ssd}}\n",
        "hub.database.storage_class",
        CLASS,
    ),
    env(
        "user-storage-class",
        6,
        "singleuser: {storage: {storage_class: 'gp2 '}}\n",
        "singleuser.storage.storage_class",
        CLASS,
    ),
    env(
        "shared-storage-class",
        6,
        "singleuser: {storage: {shared_volumes: [{name: data, mount_path: /home/jovyan/d, "
        "capacity: 1Gi, storage_class: Juice}]}}\n",
        "singleuser.storage.shared_volumes[0].storage_class",
        CLASS,
    ),
    env(
        "toleration-key",
        6,
        "scheduling: {user_pods: {tolerations: [{key: 'a b', value: c}]}}\n",
        "scheduling.user_pods.tolerations[0].key",
        LABEL_KEY,
    ),
    env(
        "toleration-value",
        6,
        "scheduling: {user_pods: {tolerations: [{key: a, value: 'c d'}]}}\n",
        "scheduling.user_pods.tolerations[0].value",
        LABEL_VALUE,
    ),
    env(
        "gpu-toleration-key",
        6,
        "singleuser: {gpu_nodes: {tolerations: [{key: 'nvidia gpu'}]}}\n",
        "singleuser.gpu_nodes.tolerations[0].key",
        LABEL_KEY,
    ),
    env(
        "gpu-resource",
        6,
        "singleuser: {gpu_nodes: {resource: gpu}}\n",
        "singleuser.gpu_nodes.resource",
        "is not an extended resource name",
    ),
    env(
        "gpu-resource-k8s",
        6,
        "singleuser: {gpu_nodes: {resource: kubernetes.io/gpu}}\n",
        "singleuser.gpu_nodes.resource",
        "is not an extended resource name",
    ),
    env(
        "secret-name",
        6,
        "",
        "auth.password_secret.name",
        "is not a valid Kubernetes name",
        swap=("{name: hub-password, key: password}", "{name: Hub_Password, key: password}"),
    ),
    env(
        "profile-slug",
        6,
        "singleuser: {profiles: [{display_name: A, slug: 'A B', default: true}]}\n",
        "singleuser.profiles[0].slug",
        "is not a valid Kubernetes name",
    ),
    env("cluster-name", 6, "cluster: In_Cluster\n", "cluster", "is not a valid Kubernetes name"),
    # --- 9: messages -----------------------------------------------------------------------------------
    env(
        "missing-auth-type",
        9,
        "",
        "auth.type",
        "missing; write one of: 'keycloak', 'oidc'",
        swap=("  type: shared-password\n", ""),
    ),
    env(
        "missing-db-type",
        9,
        "hub: {database: {capacity: 2Gi}}\n",
        "hub.database.type",
        "missing; write one of: 'sqlite', 'postgresql'",
    ),
    env(
        "unknown-auth-type",
        9,
        "",
        "auth.type",
        "unknown type 'saml'; write one of: 'keycloak'",
        swap=("type: shared-password", "type: saml"),
    ),
    env(
        "alias-internal",
        9,
        "monitoring: {alerts: {hub_down: {for_: 5m}}}\n",
        "monitoring.alerts.hub_down.for_",
        "did you mean 'for'? allowed here: enabled, for, severity",
    ),
    env(
        "alias-written",
        9,
        "monitoring: {alerts: {hub_down: {for: 5}}}\n",
        "monitoring.alerts.hub_down.for",
        "is not a Prometheus duration",
    ),
    env(
        "env-name-first",
        9,
        "singleuser: {extra_env: {1A: x, GOOD: y, 2B: z}}\n",
        "singleuser.extra_env.1A",
        "is not an environment variable name",
    ),
    env(
        "env-name-second",
        9,
        "singleuser: {extra_env: {1A: x, GOOD: y, 2B: z}}\n",
        "singleuser.extra_env.2B",
        "is not an environment variable name",
    ),
    env(
        "env-name-unicode",
        9,
        "singleuser: {extra_env: {ÉTÉ: x}}\n",
        "singleuser.extra_env.ÉTÉ",
        "is not an environment variable name",
    ),
    env("key-yes", 9, "yes: 1\n", "yes", "unknown key"),
    env("key-tilde", 9, "~: 1\n", "~", "unknown key"),
    env("key-null", 9, "hub: {null: 1}\n", "hub.null", "unknown key"),
    env("key-number", 9, "hub: {1: 1}\n", "hub.1", "unknown key"),
    env("key-on", 9, "ingress: {on: true}\n", "ingress.on", "unknown key"),
    env("key-typo", 9, "hub: {log_levle: INFO}\n", "hub.log_levle", "did you mean 'log_level'?"),
    env("key-collection", 9, "? [a, b]\n: 1\n", "", "a key must be written as text"),
    env("key-alias", 9, "x-a: &k key\nhub: {*k : 1}\n", "hub", "a key must be written as text"),
    env("unknown-top", 9, "replicas: 2\n", "replicas", "unknown key"),
    env("echo-bounded", 9, "hub: {log_level: " + "L" * 10_000 + "}\n", "hub.log_level", "...(10002 characters)"),
    env(
        "echo-cidr",
        9,
        f"network_policy: {{private_ranges: [{'1.' * 25_000}]}}\n",
        "network_policy.private_ranges[0]",
        "...(50002 characters) is not a CIDR",
    ),
    env(
        "echo-quantity",
        9,
        f"singleuser: {{memory: {{limit: {'9' * 30}x{'9' * 30_000}}}}}\n",
        "singleuser.memory.limit",
        "...(30033 characters) is not a memory/storage quantity",
    ),
    env(
        "echo-duration",
        9,
        f"monitoring: {{alerts: {{hub_down: {{for: {'m' * 40_000}}}}}}}\n",
        "monitoring.alerts.hub_down.for",
        "...(40002 characters) is not a Prometheus duration",
    ),
    env(
        "echo-choices",
        9,
        "singleuser:\n  profiles:\n  - {display_name: A, slug: a, default: true, options: {c: "
        "{kind: cpu, display_name: C, default: none, choices: {"
        + ", ".join(f"k{i}: {{display_name: x, value: 1}}" for i in range(5000))
        + "}}}}\n",
        "singleuser.profiles[0].options.c.default",
        " ... ",
    ),
    Case("bad-file-name", 9, text(GOOD), "", "becomes a folder of dist/ and an ArgoCD name", file="Prod_EU.yaml"),
    Case("argocd-name", 9, text(GOOD), "", "holds the ArgoCD objects of all environments", file="argocd.yaml"),
    Case("long-file-name", 9, text(GOOD), "", "at most 63 lower-case letters", file="f" * 64 + ".yaml"),
]

# Pairs of files that are each valid, and collide with each other (only valid environments are compared).
PAIR = GOOD.replace("hub-test", "pair-ns")
COLLIDING_CASES: list[Case] = [
    Case("twin-a", 6, text(PAIR), "", "", file="twin-a.yaml"),
    Case("twin-b", 6, text(PAIR), "namespace", "on cluster 'in-cluster' is already written by environments/twin-a"),
    Case(
        "project-a",
        6,
        text(GOOD.replace("hub-test", "proj-a") + "gitops: {repo_url: 'https://g.example/r.git', project: shared}\n"),
        "",
        "",
    ),
    Case(
        "project-b",
        6,
        text(GOOD.replace("hub-test", "proj-b") + "gitops: {repo_url: 'https://g.example/r.git', project: shared}\n"),
        "gitops.project",
        "AppProject 'shared' is already written",
    ),
    Case(
        "project-default",
        6,
        text(GOOD.replace("hub-test", "proj-c") + "gitops: {repo_url: 'https://g.example/r.git', project: default}\n"),
        "gitops.project",
        "is ArgoCD's own project",
    ),
]


# --- import-z2jh: chart values files -------------------------------------------------------------------


@dataclass(frozen=True)
class ValuesCase:
    """A chart values file and the line `values.yaml: chart.key: ...fragment...` it must stop the import with."""

    id: str
    content: str | bytes
    key: str
    fragment: str


VALUES_CASES: list[ValuesCase] = [
    ValuesCase(
        "hosts-string",
        "ingress: {enabled: true, hosts: jupyter.example.com}\n",
        "ingress.hosts",
        "is not a list of host names",
    ),
    ValuesCase(
        "gpu-one",
        "singleuser:\n  profileList:\n  - display_name: GPU\n    kubespawner_override:\n"
        "      extra_resource_limits: {nvidia.com/gpu: one}\n",
        "singleuser.profileList[0].kubespawner_override.extra_resource_limits.nvidia.com/gpu",
        "is not a GPU count",
    ),
    ValuesCase(
        "gpu-huge",
        "singleuser:\n  profileList:\n  - display_name: GPU\n    kubespawner_override:\n"
        "      extra_resource_limits: {nvidia.com/gpu: 100000000000000000000}\n",
        "singleuser.profileList[0].kubespawner_override.extra_resource_limits.nvidia.com/gpu",
        "is more than any node has",
    ),
    ValuesCase(
        "replicas-1e20",
        "scheduling: {userScheduler: {replicas: 100000000000000000000}}\n",
        "scheduling.userScheduler.replicas",
        MOST,
    ),
    ValuesCase(
        "placeholders-1e20",
        "scheduling: {userPlaceholder: {replicas: 100000000000000000000}}\n",
        "scheduling.userPlaceholder",
        MOST,
    ),
    ValuesCase("bomb", bomb(10), "a5[0]", LIMIT),
    ValuesCase("bomb-717", "hub:\n  extraConfig:\n" + textwrap.indent(bomb(9), "    "), "hub.extraConfig.a5[0]", LIMIT),
    ValuesCase("deep", "hub: " + "[" * 50_000 + "]" * 50_000 + "\n", "hub" + "[0]" * 31, DEEP),
    ValuesCase("duplicate", "hub:\n  db: {type: sqlite-pvc}\n  db: {type: other}\n", "hub.db", TWICE),
    ValuesCase("set-tag", "singleuser: {cmd: !!set {a, b}}\n", "singleuser.cmd", NOT_PLAIN),
    ValuesCase("image-string", "hub: {image: quay.io/jupyterhub/k8s-hub}\n", "hub.image", "is not an image"),
    ValuesCase("image-float-tag", "singleuser: {image: {name: x, tag: 1.10}}\n", "singleuser.image", "is not an image"),
    ValuesCase("uid-true", "singleuser: {uid: true}\n", "singleuser.uid", "is not a whole number"),
    ValuesCase("uid-1e20", "singleuser: {uid: 100000000000000000000}\n", "singleuser.uid", MOST),
    ValuesCase("timeout-string", "cull: {timeout: '3600'}\n", "cull.timeout", "is not a whole number"),
    ValuesCase("enabled-string", "cull: {enabled: 'false'}\n", "cull.enabled", "is not true or false"),
    ValuesCase("resources-list", "hub: {resources: [1, 2]}\n", "hub.resources", "is not a mapping"),
    ValuesCase("cpu-list", "singleuser: {cpu: {limit: [1]}}\n", "singleuser.cpu.limit", "is not a number"),
    ValuesCase("memory-map", "singleuser: {memory: {limit: {a: 1}}}\n", "singleuser.memory.limit", "is not a quantity"),
    ValuesCase(
        "profiles-string",
        "singleuser: {profileList: '{{ computed }}'}\n",
        "singleuser.profileList",
        "is not a list of a mapping",
    ),
    ValuesCase(
        "tolerations-strings",
        "singleuser: {extraTolerations: [gpu]}\n",
        "singleuser.extraTolerations",
        "is not a list of a mapping",
    ),
    ValuesCase("tls-string", "ingress: {tls: secret}\n", "ingress.tls", "is not a list of a mapping"),
    ValuesCase(
        "env-no-name",
        "singleuser: {extraEnv: [{value: x}]}\n",
        "singleuser.extraEnv",
        "is not a value the chart takes here",
    ),
    ValuesCase(
        "admins-string",
        "hub: {config: {Authenticator: {admin_users: alice}}}\n",
        "hub.config.Authenticator.admin_users",
        "is not a list of text",
    ),
    ValuesCase(
        "extra-images",
        "prePuller: {extraImages: {a: busybox}}\n",
        "prePuller.extraImages",
        "is not a mapping of names to an image",
    ),
    ValuesCase("base-url-number", "hub: {baseUrl: 5}\n", "hub.baseUrl", "is not text"),
    ValuesCase("spawn-limit-negative", "hub: {concurrentSpawnLimit: -1}\n", "hub.concurrentSpawnLimit", LEAST),
    ValuesCase("not-a-mapping", "- hub\n", "", "must be a mapping of chart values"),
    ValuesCase("not-utf8", b"hub: {baseUrl: /\xff/}\n", "", "is not UTF-8 text"),
    ValuesCase("unclosed", "hub: {baseUrl: [/\n", "", "not valid YAML"),
]
