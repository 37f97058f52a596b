#pragma once

#include "gui/client/kubeclient.h"

#include <QObject>
#include <QPointer>
#include <QString>

namespace pilot::gui {

/// A user action against the API as an object (scale, restart, delete, drain, ...): created by a
/// view, started once, reports `progress` and exactly one `finished`. Owns nothing but its
/// requests; deleting it cancels them. The description names the object for the UI.
class Command : public QObject {
    Q_OBJECT
public:
    explicit Command(KubeClient* client, QObject* parent = nullptr);

    virtual void start() = 0;
    [[nodiscard]] virtual QString description() const = 0;

    [[nodiscard]] bool isFinished() const { return m_finished; }
    [[nodiscard]] bool succeeded() const { return m_finished && m_error.isEmpty(); }
    [[nodiscard]] QString error() const { return m_error; }

Q_SIGNALS:
    void progress(int done, int total, const QString& message);
    void finished(bool ok, const QString& error);

protected:
    [[nodiscard]] KubeClient* client() const { return m_client; }
    void succeed();
    void fail(const QString& error);
    /// Finishes with the response's outcome.
    void finishWith(const ApiResponse& response);

private:
    QPointer<KubeClient> m_client;
    bool m_finished = false;
    QString m_error;
};

} // namespace pilot::gui
