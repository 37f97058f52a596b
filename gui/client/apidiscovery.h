#pragma once

#include "gui/client/kubeclient.h"
#include "gui/client/resourcetype.h"

#include <QList>
#include <QObject>
#include <QPointer>

namespace pilot::gui {

/// Legacy API discovery (/api, /apis and each group's preferred version) so that the console
/// knows which resources a cluster serves, custom resources included. `refresh()` fetches
/// everything again and emits `updated` once all answers are in (a group that fails is left
/// out; the whole refresh fails only when /api or /apis does).
class ApiDiscovery : public QObject {
    Q_OBJECT
public:
    explicit ApiDiscovery(KubeClient* client, QObject* parent = nullptr);

    void refresh();
    [[nodiscard]] bool isLoaded() const { return m_loaded; }
    [[nodiscard]] const QList<ResourceType>& resources() const { return m_resources; }
    /// Resources of groups the console does not know (CRDs, aggregated APIs), listable ones only.
    [[nodiscard]] QList<ResourceType> customResources() const;
    [[nodiscard]] bool servesGroup(const QString& group) const;
    /// The served resource with this group and plural, or an invalid type.
    [[nodiscard]] ResourceType find(const QString& group, const QString& plural) const;
    [[nodiscard]] ResourceType findKind(const QString& group, const QString& kind) const;
    [[nodiscard]] QString lastError() const { return m_lastError; }

    /// Whether `group` is one of Kubernetes' own API groups.
    [[nodiscard]] static bool isBuiltinGroup(const QString& group);

Q_SIGNALS:
    void updated();
    void failed(const QString& error);

private:
    void fetchGroupVersion(const QString& groupVersionPath, const QString& group,
                           const QString& version);
    void finishOne();

    QPointer<KubeClient> m_client;
    QObject* m_context = nullptr;
    QList<ResourceType> m_resources;
    QList<ResourceType> m_pending;
    int m_outstanding = 0;
    bool m_loaded = false;
    QString m_lastError;
};

} // namespace pilot::gui
