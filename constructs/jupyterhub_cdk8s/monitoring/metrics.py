"""Metrics the alerts and dashboards read that neither the hub nor the proxy export.

JupyterHub and configurable-http-proxy metric names are checked against the
real processes (tests/test_monitoring_metrics_exist.py). Metrics of the cluster come
from components that cannot run here, so every one used is listed in this one
place with where it is defined; a query naming a metric that is neither
exported by the hub or proxy nor listed here fails the tests.
"""

from __future__ import annotations

KSM = "kube-state-metrics v2.17.0"
KSM_POD = f"{KSM}, docs/metrics/workload/pod-metrics.md"
CADVISOR = "cAdvisor v0.52.1 (in the kubelet), docs/storage/prometheus.md"
KUBELET_VOLUMES = "Kubernetes v1.33 kubelet, pkg/kubelet/metrics/collectors/volume_stats.go"

CLUSTER_METRICS: dict[str, str] = {
    "up": "Prometheus v3, docs/concepts/jobs_instances.md (one sample per scrape target)",
    "kube_pod_status_phase": KSM_POD,
    "kube_pod_info": KSM_POD,
    "kube_pod_container_info": KSM_POD,
    "kube_pod_container_status_waiting_reason": KSM_POD,
    "kube_pod_container_resource_requests": KSM_POD,
    "kube_resourcequota": f"{KSM}, docs/metrics/policy/resourcequota-metrics.md",
    "kube_daemonset_status_desired_number_scheduled": f"{KSM}, docs/metrics/workload/daemonset-metrics.md",
    "kube_daemonset_status_number_ready": f"{KSM}, docs/metrics/workload/daemonset-metrics.md",
    "kube_statefulset_replicas": f"{KSM}, docs/metrics/workload/statefulset-metrics.md",
    "kube_statefulset_status_replicas_ready": f"{KSM}, docs/metrics/workload/statefulset-metrics.md",
    "container_cpu_usage_seconds_total": CADVISOR,
    "container_memory_working_set_bytes": CADVISOR,
    "kubelet_volume_stats_used_bytes": KUBELET_VOLUMES,
    "kubelet_volume_stats_capacity_bytes": KUBELET_VOLUMES,
}
