#include "gui/client/resourcetype.h"

namespace pilot::gui {

namespace {

ResourceType make(const char* group, const char* version, const char* kind, const char* plural,
                  bool namespaced) {
    ResourceType type;
    type.group = QLatin1String(group);
    type.version = QLatin1String(version);
    type.kind = QLatin1String(kind);
    type.plural = QLatin1String(plural);
    type.namespaced = namespaced;
    type.verbs = {QStringLiteral("get"),    QStringLiteral("list"),   QStringLiteral("watch"),
                  QStringLiteral("create"), QStringLiteral("update"), QStringLiteral("patch"),
                  QStringLiteral("delete")};
    return type;
}

} // namespace

QString ResourceType::apiVersion() const {
    return group.isEmpty() ? version : QString(group + QLatin1Char('/') + version);
}

QString ResourceType::groupVersionPath() const {
    if (group.isEmpty()) {
        return QStringLiteral("/api/") + version;
    }
    return QStringLiteral("/apis/") + group + QLatin1Char('/') + version;
}

QString ResourceType::collectionPath(const QString& ns) const {
    if (!namespaced || ns.isEmpty()) {
        return groupVersionPath() + QLatin1Char('/') + plural;
    }
    return groupVersionPath() + QStringLiteral("/namespaces/") + ns + QLatin1Char('/') + plural;
}

QString ResourceType::objectPath(const QString& ns, const QString& name) const {
    return collectionPath(namespaced ? ns : QString()) + QLatin1Char('/') + name;
}

QString ResourceType::id() const {
    return group.isEmpty() ? plural : QString(plural + QLatin1Char('.') + group);
}

ResourceType ResourceType::pods() {
    return make("", "v1", "Pod", "pods", true);
}
ResourceType ResourceType::deployments() {
    return make("apps", "v1", "Deployment", "deployments", true);
}
ResourceType ResourceType::statefulSets() {
    return make("apps", "v1", "StatefulSet", "statefulsets", true);
}
ResourceType ResourceType::daemonSets() {
    return make("apps", "v1", "DaemonSet", "daemonsets", true);
}
ResourceType ResourceType::replicaSets() {
    return make("apps", "v1", "ReplicaSet", "replicasets", true);
}
ResourceType ResourceType::jobs() {
    return make("batch", "v1", "Job", "jobs", true);
}
ResourceType ResourceType::cronJobs() {
    return make("batch", "v1", "CronJob", "cronjobs", true);
}
ResourceType ResourceType::services() {
    return make("", "v1", "Service", "services", true);
}
ResourceType ResourceType::ingresses() {
    return make("networking.k8s.io", "v1", "Ingress", "ingresses", true);
}
ResourceType ResourceType::configMaps() {
    return make("", "v1", "ConfigMap", "configmaps", true);
}
ResourceType ResourceType::secrets() {
    return make("", "v1", "Secret", "secrets", true);
}
ResourceType ResourceType::persistentVolumeClaims() {
    return make("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true);
}
ResourceType ResourceType::persistentVolumes() {
    return make("", "v1", "PersistentVolume", "persistentvolumes", false);
}
ResourceType ResourceType::storageClasses() {
    return make("storage.k8s.io", "v1", "StorageClass", "storageclasses", false);
}
ResourceType ResourceType::nodes() {
    return make("", "v1", "Node", "nodes", false);
}
ResourceType ResourceType::namespaces() {
    return make("", "v1", "Namespace", "namespaces", false);
}
ResourceType ResourceType::events() {
    return make("", "v1", "Event", "events", true);
}
ResourceType ResourceType::nodeMetrics() {
    ResourceType type = make("metrics.k8s.io", "v1beta1", "NodeMetrics", "nodes", false);
    type.verbs = {QStringLiteral("get"), QStringLiteral("list")};
    return type;
}

} // namespace pilot::gui
