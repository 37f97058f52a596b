#pragma once

#include "gui/client/workloadcommands.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;

namespace pilot::gui {

class ClusterSession;
class ObjectEditor;

/// The YAML tab of a detail view: the object in an ObjectEditor (YAML with validation errors at
/// their lines, the form for kinds that have one, and a dry-run diff before every apply). It
/// follows the live object while the user has not edited it; once they have, a change on the
/// server is announced with a "Reload" button instead of overwriting their edits.
class EditorTab : public QWidget {
    Q_OBJECT
public:
    EditorTab(ClusterSession* session, ObjectRef ref, QWidget* parent = nullptr);

    [[nodiscard]] ObjectEditor* editor() const { return m_editor; }
    [[nodiscard]] QPushButton* reloadButton() const { return m_reload; }
    /// Whether the user changed the object since it was loaded.
    [[nodiscard]] bool isEdited() const { return m_edited; }
    /// The YAML shown.
    [[nodiscard]] QString yamlText() const;

public Q_SLOTS:
    /// Loads the live object, dropping unapplied edits.
    void reload();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void onModelChanged();

    QPointer<ClusterSession> m_session;
    ObjectRef m_ref;
    ObjectEditor* m_editor = nullptr;
    QWidget* m_notice = nullptr;
    QLabel* m_noticeText = nullptr;
    QPushButton* m_reload = nullptr;
    QObject* m_fetch = nullptr;
    QString m_loadedVersion;
    bool m_edited = false;
    bool m_loaded = false;
};

} // namespace pilot::gui
