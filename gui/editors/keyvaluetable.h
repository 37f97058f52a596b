#pragma once

#include <QList>
#include <QString>
#include <QWidget>

#include <functional>
#include <utility>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QTableWidgetItem;

namespace pilot::gui {

/// An editable table of key/value strings (labels, selectors, ConfigMap data) with Add/Remove,
/// per-cell validation (invalid cells are marked and the message shown under the table), an
/// optional multi-line editor for the selected value, and an optional "paste .env/.properties"
/// panel that adds (or overwrites) entries parsed from pasted text. Emits `edited` after each user
/// change; `setEntries` does not.
class KeyValueTable : public QWidget {
    Q_OBJECT
public:
    using Entries = QList<std::pair<QString, QString>>;
    using Validator = std::function<QString(const QString&)>;

    explicit KeyValueTable(QWidget* parent = nullptr);

    void setEntries(const Entries& entries);
    /// The rows with a key, in order.
    [[nodiscard]] Entries entries() const;
    void setKeyValidator(Validator validator) { m_keyValidator = std::move(validator); }
    void setValueValidator(Validator validator) { m_valueValidator = std::move(validator); }
    /// Values edited in a text box under the table (ConfigMap and Secret data).
    void setMultiLineValues(bool on);
    void setPasteEnabled(bool on);
    /// Sets or adds `key` (as a user edit: emits `edited`).
    void setEntry(const QString& key, const QString& value);
    /// Adds or overwrites the entries parsed from .env/.properties text; returns how many.
    int pasteText(const QString& text);
    [[nodiscard]] QString validationError() const { return m_error; }
    [[nodiscard]] QTableWidget* table() const { return m_table; }

Q_SIGNALS:
    void edited();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void addRow(const QString& key, const QString& value);
    void removeSelected();
    void itemChanged(QTableWidgetItem* item);
    void currentRowChanged();
    void validate();
    void adjustHeight();
    [[nodiscard]] QString valueAt(int row) const;

    QTableWidget* m_table;
    QPushButton* m_add;
    QPushButton* m_remove;
    QPushButton* m_pasteToggle;
    QWidget* m_pastePanel;
    QPlainTextEdit* m_pasteText;
    QPushButton* m_pasteApply;
    QLabel* m_valueLabel;
    QPlainTextEdit* m_valueEdit;
    QLabel* m_message;
    Validator m_keyValidator;
    Validator m_valueValidator;
    QString m_error;
    bool m_multiLine = false;
    bool m_loading = false;
};

} // namespace pilot::gui
