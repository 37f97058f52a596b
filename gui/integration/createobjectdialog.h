#pragma once

#include "gui/client/resourcetype.h"

#include <QDialog>
#include <QPointer>

namespace pilot::gui {

class ClusterSession;
class ObjectEditor;

/// "Create…" of a list: an ObjectEditor for a new object of the list's kind in its namespace (the
/// kind's form when it has one, else YAML), talking to the cluster through its ClientApplier.
/// Non-modal; closes itself once the objects are created, and goes with the session.
class CreateObjectDialog : public QDialog {
    Q_OBJECT
public:
    CreateObjectDialog(ClusterSession* session, const ResourceType& type,
                       const QString& namespaceName, QWidget* parent = nullptr);

    [[nodiscard]] ObjectEditor* editor() const { return m_editor; }

    /// Opens one for a list's "Create…" (ResourceListView::CreateFlow).
    static void launch(ClusterSession* session, const ResourceType& type,
                       const QString& namespaceName, QWidget* parent);

Q_SIGNALS:
    /// The objects were created (before the dialog closes).
    void created();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();

    ResourceType m_type;
    ObjectEditor* m_editor = nullptr;
};

} // namespace pilot::gui
