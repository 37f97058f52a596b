#pragma once

#include "gui/client/kubeclient.h"
#include "gui/client/resourcetype.h"
#include "gui/editors/objectapplier.h"

#include <QObject>
#include <QPointer>

#include <optional>

namespace pilot::gui {

class ClusterSession;

/// The editors' ObjectApplier over one open cluster's KubeClient: paths come from the cluster's
/// API discovery (so custom resources work too) with the built-in kinds as a fallback; writes
/// carry `fieldManager=pilothouse&fieldValidation=Strict`, dry runs `dryRun=All`. A create is a
/// POST when the object does not exist, else a PUT of the live object's resourceVersion unless
/// the object names one. Callbacks run once, on the GUI thread, never after their context died
/// (KubeClient guarantees it). One per session, owned by it: `of(session)`.
class ClientApplier : public QObject, public ObjectApplier {
    Q_OBJECT
public:
    explicit ClientApplier(ClusterSession* session);

    /// The session's applier, created on first use.
    [[nodiscard]] static ClientApplier* of(ClusterSession* session);

    void get(const ApiObjectRef& ref, QObject* context, ObjectCallback done) override;
    void dryRun(const boost::json::object& object, QObject* context, ObjectCallback done) override;
    void apply(const boost::json::object& object, QObject* context, ObjectCallback done) override;
    void patch(const ApiObjectRef& ref, PatchKind kind, const QByteArray& body, QObject* context,
               ObjectCallback done) override;

    /// The resource an object of `apiVersion`/`kind` lives in, at that version.
    [[nodiscard]] std::optional<ResourceType> typeOf(const QString& apiVersion,
                                                     const QString& kind) const;
    /// The request's outcome as the editors see it.
    [[nodiscard]] static ObjectResult toResult(const ApiResponse& response);

private:
    void write(const boost::json::object& object, bool dryRun, QObject* context,
               ObjectCallback done);
    /// Fails `done` later (callbacks never run synchronously).
    void failLater(QObject* context, ObjectCallback done, StatusError error);
    [[nodiscard]] KubeClient* client() const;

    QPointer<ClusterSession> m_session;
};

} // namespace pilot::gui
