#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace pilot::gui {

/// Shown when nothing is open: with no kubeconfig at all it offers "Start a local cluster"
/// (the bundled engine and agent) and "Open a kubeconfig file"; otherwise it explains how to
/// open a context from the tree.
class WelcomeView : public QWidget {
    Q_OBJECT
public:
    explicit WelcomeView(QWidget* parent = nullptr);

    void setHasContexts(bool hasContexts);
    /// Shows the local cluster's progress or error under the buttons.
    void setLocalStatus(const QString& text, bool error);
    void setLocalStartEnabled(bool enabled);
    [[nodiscard]] QPushButton* startLocalButton() const { return m_startLocal; }
    [[nodiscard]] QPushButton* openFileButton() const { return m_openFile; }
    [[nodiscard]] QString localStatus() const;

Q_SIGNALS:
    void startLocalRequested();
    void openFileRequested();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();

    bool m_hasContexts = false;
    QLabel* m_title = nullptr;
    QLabel* m_text = nullptr;
    QPushButton* m_startLocal = nullptr;
    QPushButton* m_openFile = nullptr;
    QLabel* m_status = nullptr;
};

} // namespace pilot::gui
