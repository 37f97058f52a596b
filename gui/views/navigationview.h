#pragma once

#include <QWidget>

class QPushButton;
class QTreeView;

namespace pilot::gui {

class NavigationModel;

/// The left pane: the navigation tree (contexts, namespaces, categories, kinds) with Open and
/// Close buttons for the selected context. Selecting a node asks for its page; activating a
/// closed context opens it.
class NavigationView : public QWidget {
    Q_OBJECT
public:
    explicit NavigationView(NavigationModel* model, QWidget* parent = nullptr);

    [[nodiscard]] QTreeView* tree() const { return m_tree; }
    [[nodiscard]] QPushButton* openButton() const { return m_open; }
    [[nodiscard]] QPushButton* closeButton() const { return m_close; }
    /// The context of the current node (empty if none).
    [[nodiscard]] QString currentContext() const;
    void select(const QModelIndex& index);

Q_SIGNALS:
    void openRequested(const QString& context);
    void closeRequested(const QString& context);
    void pageRequested(const QModelIndex& index);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void updateButtons();

    NavigationModel* m_model;
    QTreeView* m_tree = nullptr;
    QPushButton* m_open = nullptr;
    QPushButton* m_close = nullptr;
};

} // namespace pilot::gui
