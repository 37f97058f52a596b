#pragma once

#include "gui/editors/formsection.h"

class QComboBox;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QWidget;

namespace pilot::gui {

/// A liveness/readiness/startup probe (base: the probe field, e.g. `...containers[0]
/// .livenessProbe`): none, HTTP GET (path, port), TCP socket (port) or command, plus delay,
/// period, timeout and failure threshold. Switching the kind drops the other handler, as
/// `$retainKeys` would.
class ProbeSection : public FormSection {
    Q_OBJECT
public:
    explicit ProbeSection(ObjectDocument* document, QWidget* parent = nullptr);

    void load(QObject* origin) override;
    [[nodiscard]] QComboBox* kindCombo() const { return m_kind; }

private:
    void kindChosen(int index);
    void showFields();

    QComboBox* m_kind;
    QWidget* m_details;
    QWidget* m_http;
    QWidget* m_tcp;
    QWidget* m_exec;
    QLineEdit* m_path;
    QLineEdit* m_httpPort;
    QLineEdit* m_tcpPort;
    QPlainTextEdit* m_command;
};

} // namespace pilot::gui
