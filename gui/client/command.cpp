#include "gui/client/command.h"

namespace pilot::gui {

Command::Command(KubeClient* client, QObject* parent) : QObject(parent), m_client(client) {}

void Command::succeed() {
    if (m_finished) {
        return;
    }
    m_finished = true;
    Q_EMIT finished(true, QString());
}

void Command::fail(const QString& error) {
    if (m_finished) {
        return;
    }
    m_finished = true;
    m_error = error.isEmpty() ? tr("failed") : error;
    Q_EMIT finished(false, m_error);
}

void Command::finishWith(const ApiResponse& response) {
    if (response.ok()) {
        succeed();
    } else {
        fail(response.error);
    }
}

} // namespace pilot::gui
