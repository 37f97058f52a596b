#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>

namespace pilot::gui {

/// One API resource as discovery describes it, and the paths to reach it.
struct ResourceType {
    QString group; ///< Empty for the core group.
    QString version;
    QString kind;
    QString plural;
    bool namespaced = true;
    QStringList verbs;
    QStringList shortNames;

    [[nodiscard]] bool isValid() const { return !plural.isEmpty() && !version.isEmpty(); }
    /// `v1` or `apps/v1`.
    [[nodiscard]] QString apiVersion() const;
    /// `/api/v1` or `/apis/apps/v1`.
    [[nodiscard]] QString groupVersionPath() const;
    /// The collection, in one namespace or (empty `ns`, or cluster-scoped) everywhere.
    [[nodiscard]] QString collectionPath(const QString& ns = {}) const;
    [[nodiscard]] QString objectPath(const QString& ns, const QString& name) const;
    /// `pods`, `deployments.apps`: unique across groups.
    [[nodiscard]] QString id() const;
    [[nodiscard]] bool supports(const QString& verb) const { return verbs.contains(verb); }

    bool operator==(const ResourceType& other) const {
        return group == other.group && version == other.version && plural == other.plural;
    }

    // The built-in kinds the console has typed models for.
    [[nodiscard]] static ResourceType pods();
    [[nodiscard]] static ResourceType deployments();
    [[nodiscard]] static ResourceType statefulSets();
    [[nodiscard]] static ResourceType daemonSets();
    [[nodiscard]] static ResourceType replicaSets();
    [[nodiscard]] static ResourceType jobs();
    [[nodiscard]] static ResourceType cronJobs();
    [[nodiscard]] static ResourceType services();
    [[nodiscard]] static ResourceType ingresses();
    [[nodiscard]] static ResourceType configMaps();
    [[nodiscard]] static ResourceType secrets();
    [[nodiscard]] static ResourceType persistentVolumeClaims();
    [[nodiscard]] static ResourceType persistentVolumes();
    [[nodiscard]] static ResourceType storageClasses();
    [[nodiscard]] static ResourceType nodes();
    [[nodiscard]] static ResourceType namespaces();
    [[nodiscard]] static ResourceType events();
    [[nodiscard]] static ResourceType nodeMetrics();
};

} // namespace pilot::gui

Q_DECLARE_METATYPE(pilot::gui::ResourceType)
