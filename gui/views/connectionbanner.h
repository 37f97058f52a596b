#pragma once

#include "gui/models/clustersession.h"
#include <QFrame>
#include <QPointer>

class QLabel;
class QPushButton;

namespace pilot::gui {

/// The inline banner shown above a cluster's views while its API server does not answer:
/// says so (with the error), that the data shown is the last received, and offers
/// "Reconnect now". Hides itself when the connection is back.
class ConnectionBanner : public QFrame {
    Q_OBJECT
public:
    explicit ConnectionBanner(QWidget* parent = nullptr);
    void setSession(ClusterSession* session);
    [[nodiscard]] QString message() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void update();
    void retranslate();

    QPointer<ClusterSession> m_session;
    QMetaObject::Connection m_connection;
    QLabel* m_text = nullptr;
    QPushButton* m_reconnect = nullptr;
};

} // namespace pilot::gui
