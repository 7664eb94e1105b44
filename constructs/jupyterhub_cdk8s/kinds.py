"""Which Kubernetes kinds are cluster-scoped: their objects have no namespace.

The built-in ones, from `kubectl api-resources --namespaced=false` on
Kubernetes 1.33. Any other kind (every custom resource this project or an
environment's own manifests write) is taken to be namespaced.
"""

from __future__ import annotations

CLUSTER_SCOPED = frozenset(
    {
        # core
        "Namespace",
        "Node",
        "PersistentVolume",
        "ComponentStatus",
        # admissionregistration.k8s.io
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        # apiextensions.k8s.io, apiregistration.k8s.io
        "CustomResourceDefinition",
        "APIService",
        # authentication.k8s.io, authorization.k8s.io
        "TokenReview",
        "SelfSubjectReview",
        "SelfSubjectAccessReview",
        "SelfSubjectRulesReview",
        "SubjectAccessReview",
        # certificates.k8s.io
        "CertificateSigningRequest",
        "ClusterTrustBundle",
        # flowcontrol.apiserver.k8s.io
        "FlowSchema",
        "PriorityLevelConfiguration",
        # networking.k8s.io, node.k8s.io
        "IngressClass",
        "IPAddress",
        "ServiceCIDR",
        "RuntimeClass",
        # rbac.authorization.k8s.io, scheduling.k8s.io
        "ClusterRole",
        "ClusterRoleBinding",
        "PriorityClass",
        # storage.k8s.io, resource.k8s.io, storagemigration.k8s.io
        "CSIDriver",
        "CSINode",
        "StorageClass",
        "VolumeAttachment",
        "VolumeAttributesClass",
        "DeviceClass",
        "ResourceSlice",
        "StorageVersionMigration",
    }
)
