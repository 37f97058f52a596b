#include "gui/editors/keyvaluetable.h"

#include "gui/editors/envtext.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTableWidget>
#include <QVBoxLayout>

namespace pilot::gui {

namespace {

constexpr int ValueRole = Qt::UserRole + 1; // the full value (the cell may show one line of it)

QString oneLine(const QString& value) {
    QString shown = value;
    shown.replace(QLatin1Char('\n'), QChar(0x23CE));
    return shown;
}

} // namespace

KeyValueTable::KeyValueTable(QWidget* parent)
    : QWidget(parent), m_table(new QTableWidget(0, 2, this)), m_add(new QPushButton(this)),
      m_remove(new QPushButton(this)), m_pasteToggle(new QPushButton(this)),
      m_pastePanel(new QWidget(this)), m_pasteText(new QPlainTextEdit(m_pastePanel)),
      m_pasteApply(new QPushButton(m_pastePanel)), m_valueLabel(new QLabel(this)),
      m_valueEdit(new QPlainTextEdit(this)), m_message(new QLabel(this)) {
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_table->setColumnWidth(0, 180);
    m_table->verticalHeader()->setVisible(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    m_add->setObjectName(QStringLiteral("add"));
    m_remove->setObjectName(QStringLiteral("remove"));
    m_pasteToggle->setObjectName(QStringLiteral("pasteToggle"));
    m_pasteApply->setObjectName(QStringLiteral("pasteApply"));
    m_pasteText->setObjectName(QStringLiteral("pasteText"));
    m_valueEdit->setObjectName(QStringLiteral("valueEdit"));
    m_message->setObjectName(QStringLiteral("fieldMessage"));
    m_message->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_message->setWordWrap(true);
    m_message->setVisible(false);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addWidget(m_pasteToggle);
    buttons->addStretch(1);
    auto* paste = new QVBoxLayout(m_pastePanel);
    paste->setContentsMargins(0, 0, 0, 0);
    paste->addWidget(m_pasteText);
    paste->addWidget(m_pasteApply, 0, Qt::AlignLeft);
    m_pasteText->setMaximumHeight(100);
    m_pastePanel->setVisible(false);
    m_pasteToggle->setVisible(false);
    m_valueLabel->setVisible(false);
    m_valueEdit->setVisible(false);
    m_valueEdit->setMaximumHeight(120);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    layout->addWidget(m_message);
    layout->addLayout(buttons);
    layout->addWidget(m_pastePanel);
    layout->addWidget(m_valueLabel);
    layout->addWidget(m_valueEdit);

    connect(m_add, &QPushButton::clicked, this, [this] {
        addRow(QString(), QString());
        m_table->setCurrentCell(m_table->rowCount() - 1, 0);
        m_table->editItem(m_table->item(m_table->rowCount() - 1, 0));
    });
    connect(m_remove, &QPushButton::clicked, this, &KeyValueTable::removeSelected);
    connect(m_pasteToggle, &QPushButton::clicked, this,
            [this] { m_pastePanel->setVisible(!m_pastePanel->isVisible()); });
    connect(m_pasteApply, &QPushButton::clicked, this, [this] {
        pasteText(m_pasteText->toPlainText());
        m_pasteText->clear();
        m_pastePanel->setVisible(false);
    });
    connect(m_table, &QTableWidget::itemChanged, this, &KeyValueTable::itemChanged);
    connect(m_table, &QTableWidget::currentCellChanged, this, &KeyValueTable::currentRowChanged);
    connect(m_valueEdit, &QPlainTextEdit::textChanged, this, [this] {
        const int row = m_table->currentRow();
        if (m_loading || row < 0) {
            return;
        }
        QTableWidgetItem* item = m_table->item(row, 1);
        const QString value = m_valueEdit->toPlainText();
        if (item->data(ValueRole).toString() == value) {
            return;
        }
        const QSignalBlocker block(m_table);
        item->setData(ValueRole, value);
        item->setText(oneLine(value));
        validate();
        Q_EMIT edited();
    });
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    retranslate();
    adjustHeight();
}

void KeyValueTable::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QWidget::changeEvent(event);
}

void KeyValueTable::retranslate() {
    m_table->setHorizontalHeaderLabels({tr("Key"), tr("Value")});
    m_add->setText(tr("Add"));
    m_remove->setText(tr("Remove"));
    m_pasteToggle->setText(tr("Paste .env / .properties…"));
    m_pasteApply->setText(tr("Add these entries"));
    m_pasteText->setPlaceholderText(tr("KEY=value lines, as in a .env or .properties file"));
    m_valueLabel->setText(tr("Value of the selected key:"));
    validate();
}

void KeyValueTable::setMultiLineValues(bool on) {
    m_multiLine = on;
    m_valueLabel->setVisible(on);
    m_valueEdit->setVisible(on);
    currentRowChanged();
}

void KeyValueTable::setPasteEnabled(bool on) {
    m_pasteToggle->setVisible(on);
}

void KeyValueTable::addRow(const QString& key, const QString& value) {
    const QSignalBlocker block(m_table);
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    m_table->setItem(row, 0, new QTableWidgetItem(key));
    auto* valueItem = new QTableWidgetItem(oneLine(value));
    valueItem->setData(ValueRole, value);
    m_table->setItem(row, 1, valueItem);
    adjustHeight();
}

void KeyValueTable::adjustHeight() {
    const int rows = qBound(2, m_table->rowCount(), 8);
    const int rowHeight = m_table->verticalHeader()->defaultSectionSize();
    m_table->setFixedHeight(m_table->horizontalHeader()->sizeHint().height() + rows * rowHeight +
                            2 * m_table->frameWidth() + 2);
}

QString KeyValueTable::valueAt(int row) const {
    const QTableWidgetItem* item = m_table->item(row, 1);
    if (item == nullptr) {
        return {};
    }
    const QVariant full = item->data(ValueRole);
    return full.isValid() ? full.toString() : item->text();
}

void KeyValueTable::setEntries(const Entries& entries) {
    if (entries == this->entries() && m_table->rowCount() == entries.size()) {
        return;
    }
    m_loading = true;
    const int current = m_table->currentRow();
    {
        const QSignalBlocker block(m_table);
        m_table->setRowCount(0);
    }
    for (const auto& [key, value] : entries) {
        addRow(key, value);
    }
    if (current >= 0 && current < m_table->rowCount()) {
        m_table->setCurrentCell(current, 0);
    }
    m_loading = false;
    currentRowChanged();
    validate();
}

KeyValueTable::Entries KeyValueTable::entries() const {
    Entries out;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QString key =
            m_table->item(row, 0) ? m_table->item(row, 0)->text().trimmed() : QString();
        if (!key.isEmpty()) {
            out.append({key, valueAt(row)});
        }
    }
    return out;
}

void KeyValueTable::setEntry(const QString& key, const QString& value) {
    for (int row = 0; row < m_table->rowCount(); ++row) {
        if (m_table->item(row, 0)->text().trimmed() == key) {
            const QSignalBlocker block(m_table);
            m_table->item(row, 1)->setData(ValueRole, value);
            m_table->item(row, 1)->setText(oneLine(value));
            validate();
            Q_EMIT edited();
            return;
        }
    }
    addRow(key, value);
    validate();
    Q_EMIT edited();
}

int KeyValueTable::pasteText(const QString& text) {
    const auto parsed = parseEnvText(text);
    for (const auto& [key, value] : parsed) {
        bool found = false;
        for (int row = 0; row < m_table->rowCount() && !found; ++row) {
            if (m_table->item(row, 0)->text().trimmed() == key) {
                const QSignalBlocker block(m_table);
                m_table->item(row, 1)->setData(ValueRole, value);
                m_table->item(row, 1)->setText(oneLine(value));
                found = true;
            }
        }
        if (!found) {
            addRow(key, value);
        }
    }
    if (!parsed.isEmpty()) {
        validate();
        currentRowChanged();
        Q_EMIT edited();
    }
    return int(parsed.size());
}

void KeyValueTable::removeSelected() {
    int row = m_table->currentRow();
    if (row < 0) {
        row = m_table->rowCount() - 1;
    }
    if (row < 0) {
        return;
    }
    {
        const QSignalBlocker block(m_table);
        m_table->removeRow(row);
    }
    adjustHeight();
    validate();
    currentRowChanged();
    Q_EMIT edited();
}

void KeyValueTable::itemChanged(QTableWidgetItem* item) {
    if (m_loading) {
        return;
    }
    if (item->column() == 1) {
        const QSignalBlocker block(m_table);
        item->setData(ValueRole, item->text());
    }
    validate();
    if (item->row() == m_table->currentRow()) {
        currentRowChanged();
    }
    Q_EMIT edited();
}

void KeyValueTable::currentRowChanged() {
    if (!m_multiLine) {
        return;
    }
    const int row = m_table->currentRow();
    const bool wasLoading = m_loading;
    m_loading = true;
    m_valueEdit->setEnabled(row >= 0);
    const QString value = row >= 0 ? valueAt(row) : QString();
    if (m_valueEdit->toPlainText() != value) {
        m_valueEdit->setPlainText(value);
    }
    m_loading = wasLoading;
}

void KeyValueTable::validate() {
    QStringList messages;
    const QSignalBlocker block(m_table);
    for (int row = 0; row < m_table->rowCount(); ++row) {
        for (int column = 0; column < 2; ++column) {
            QTableWidgetItem* item = m_table->item(row, column);
            const Validator& validator = column == 0 ? m_keyValidator : m_valueValidator;
            QString message;
            const QString key = m_table->item(row, 0)->text().trimmed();
            if (validator && !key.isEmpty()) {
                message = validator(column == 0 ? key : valueAt(row));
            }
            if (column == 0 && key.isEmpty() && !valueAt(row).isEmpty()) {
                message = tr("A value needs a key");
            }
            item->setBackground(message.isEmpty() ? QBrush() : QBrush(QColor(0xfd, 0xec, 0xea)));
            item->setToolTip(message);
            if (!message.isEmpty() && !messages.contains(message)) {
                messages.append(message);
            }
        }
    }
    m_error = messages.join(QLatin1Char('\n'));
    m_message->setText(m_error);
    m_message->setVisible(!m_error.isEmpty());
}

} // namespace pilot::gui
