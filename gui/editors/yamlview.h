#pragma once

#include "gui/editors/objectapplier.h"
#include "gui/editors/yamldiagnostics.h"

#include <boost/json/value.hpp>

#include <QList>
#include <QWidget>

class QLabel;
class QListWidget;
class QTimer;

namespace pilot::gui {

class ObjectDocument;
class YamlEditor;

/// The YAML tab of an ObjectEditor: a YamlEditor over an ObjectDocument plus a list of problems.
/// Text typed here is parsed after a short pause and, when it is a valid object, becomes the
/// document (so the form follows); changes made elsewhere are rendered here as kubectl would
/// (`-o yaml`). Parse errors and API errors are shown at their lines; an API error stays attached
/// to its field while the text is edited, until that field's value changes or the next request.
class YamlView : public QWidget {
    Q_OBJECT
public:
    explicit YamlView(ObjectDocument* document, QWidget* parent = nullptr);

    [[nodiscard]] YamlEditor* editor() const { return m_editor; }
    [[nodiscard]] QList<YamlDiagnostic> diagnostics() const;
    /// Shows an API error's causes at their fields' lines.
    void showServerError(const StatusError& error);
    void clearServerError();
    /// Parses pending edits now (before a request is sent).
    void flush();

Q_SIGNALS:
    void diagnosticsChanged();

protected:
    void changeEvent(QEvent* event) override;

private:
    struct ServerProblem {
        StatusCause cause;
        boost::json::value valueThen; ///< the field's value when the error arrived
        bool hadValue = false;
    };

    void retranslate();
    void documentChanged(QObject* origin);
    void textEdited();
    void reparse();
    void refreshDiagnostics();

    ObjectDocument* m_document;
    YamlEditor* m_editor;
    QLabel* m_problemsLabel;
    QListWidget* m_problems;
    QTimer* m_reparse;
    bool m_rendering = false;
    QList<YamlDiagnostic> m_localDiagnostics;
    QList<ServerProblem> m_serverProblems;
    QString m_serverMessage; ///< an API error that names no field
};

} // namespace pilot::gui
