#include "gui/views/actiondialogs.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace pilot::gui {

namespace {

QDialogButtonBox* okCancel(QDialog* dialog, const QString& okText, const QString& cancelText) {
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(okText);
    buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("okButton"));
    buttons->button(QDialogButtonBox::Cancel)->setText(cancelText);
    QObject::connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    return buttons;
}

QTableWidget* keyValueTable(QWidget* parent, const QStringList& headers) {
    auto* table = new QTableWidget(0, int(headers.size()), parent);
    table->setObjectName(QStringLiteral("entries"));
    table->setHorizontalHeaderLabels(headers);
    table->horizontalHeader()->setStretchLastSection(true);
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    table->verticalHeader()->hide();
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setEditTriggers(QAbstractItemView::AllEditTriggers);
    table->setMinimumSize(460, 200);
    return table;
}

QHBoxLayout* addRemoveButtons(QDialog* dialog, QTableWidget* table, std::function<void()> add,
                              const QString& addText, const QString& removeText) {
    auto* row = new QHBoxLayout;
    auto* addButton = new QPushButton(addText, dialog);
    addButton->setObjectName(QStringLiteral("addButton"));
    auto* removeButton = new QPushButton(removeText, dialog);
    removeButton->setObjectName(QStringLiteral("removeButton"));
    QObject::connect(addButton, &QPushButton::clicked, dialog, std::move(add));
    QObject::connect(removeButton, &QPushButton::clicked, dialog, [table] {
        QList<int> rows;
        for (const QModelIndex& index : table->selectionModel()->selectedRows()) {
            rows << index.row();
        }
        std::sort(rows.rbegin(), rows.rend());
        for (int r : rows) {
            table->removeRow(r);
        }
    });
    row->addWidget(addButton);
    row->addWidget(removeButton);
    row->addStretch();
    return row;
}

QString cellText(QTableWidget* table, int row, int column) {
    QTableWidgetItem* item = table->item(row, column);
    return item ? item->text().trimmed() : QString();
}

} // namespace

ScaleDialog::ScaleDialog(const QString& object, int current, QWidget* parent) : QDialog(parent) {
    setObjectName(QStringLiteral("scaleDialog"));
    setWindowTitle(tr("Scale"));
    auto* form = new QFormLayout(this);
    auto* what = new QLabel(object, this);
    form->addRow(tr("Object:"), what);
    m_replicas = new QSpinBox(this);
    m_replicas->setObjectName(QStringLiteral("replicas"));
    m_replicas->setRange(0, 100000);
    m_replicas->setValue(current);
    form->addRow(tr("Replicas:"), m_replicas);
    form->addRow(okCancel(this, tr("Scale"), tr("Cancel")));
}

int ScaleDialog::replicas() const {
    return m_replicas->value();
}

ImageDialog::ImageDialog(const QString& object,
                         const QList<std::pair<QString, QString>>& containers, QWidget* parent)
    : QDialog(parent), m_containers(containers) {
    setObjectName(QStringLiteral("imageDialog"));
    setWindowTitle(tr("Change image"));
    auto* form = new QFormLayout(this);
    form->addRow(tr("Object:"), new QLabel(object, this));
    m_container = new QComboBox(this);
    m_container->setObjectName(QStringLiteral("container"));
    for (const auto& [name, image] : containers) {
        m_container->addItem(name);
    }
    m_image = new QLineEdit(this);
    m_image->setObjectName(QStringLiteral("image"));
    m_image->setMinimumWidth(360);
    auto sync = [this](int index) {
        if (index >= 0 && index < m_containers.size()) {
            m_image->setText(m_containers.at(index).second);
        }
    };
    connect(m_container, &QComboBox::currentIndexChanged, this, sync);
    sync(0);
    form->addRow(tr("Container:"), m_container);
    form->addRow(tr("Image:"), m_image);
    form->addRow(okCancel(this, tr("Change image"), tr("Cancel")));
}

QString ImageDialog::container() const {
    return m_container->currentText();
}

QString ImageDialog::image() const {
    return m_image->text().trimmed();
}

LabelsDialog::LabelsDialog(const QString& object, const QMap<QString, QString>& labels,
                           QWidget* parent)
    : QDialog(parent) {
    setObjectName(QStringLiteral("labelsDialog"));
    setWindowTitle(tr("Edit labels"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(object, this));
    m_table = keyValueTable(this, {tr("Key"), tr("Value")});
    for (auto it = labels.begin(); it != labels.end(); ++it) {
        addRow(it.key(), it.value());
    }
    layout->addWidget(m_table);
    layout->addLayout(addRemoveButtons(
        this, m_table, [this] { addRow(); }, tr("Add"), tr("Remove")));
    layout->addWidget(okCancel(this, tr("Save"), tr("Cancel")));
}

void LabelsDialog::addRow(const QString& key, const QString& value) {
    int row = m_table->rowCount();
    m_table->insertRow(row);
    m_table->setItem(row, 0, new QTableWidgetItem(key));
    m_table->setItem(row, 1, new QTableWidgetItem(value));
    if (key.isEmpty()) {
        m_table->setCurrentCell(row, 0); // opens the editor (CurrentChanged trigger)
    }
}

QMap<QString, QString> LabelsDialog::labels() const {
    QMap<QString, QString> out;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        QString key = cellText(m_table, row, 0);
        if (!key.isEmpty()) {
            out.insert(key, cellText(m_table, row, 1));
        }
    }
    return out;
}

TaintsDialog::TaintsDialog(const QString& node, const QList<Taint>& taints, QWidget* parent)
    : QDialog(parent) {
    setObjectName(QStringLiteral("taintsDialog"));
    setWindowTitle(tr("Edit taints"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Node %1").arg(node), this));
    m_table = keyValueTable(this, {tr("Key"), tr("Value"), tr("Effect")});
    m_table->horizontalHeader()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    for (const Taint& taint : taints) {
        addRow(taint);
    }
    layout->addWidget(m_table);
    layout->addLayout(addRemoveButtons(
        this, m_table, [this] { addRow(); }, tr("Add"), tr("Remove")));
    layout->addWidget(okCancel(this, tr("Save"), tr("Cancel")));
}

void TaintsDialog::addRow(const Taint& taint) {
    int row = m_table->rowCount();
    m_table->insertRow(row);
    m_table->setItem(row, 0, new QTableWidgetItem(taint.key));
    m_table->setItem(row, 1, new QTableWidgetItem(taint.value));
    auto* effect = new QComboBox(m_table);
    effect->addItems({QStringLiteral("NoSchedule"), QStringLiteral("PreferNoSchedule"),
                      QStringLiteral("NoExecute")});
    effect->setCurrentText(taint.effect);
    m_table->setCellWidget(row, 2, effect);
    if (taint.key.isEmpty()) {
        m_table->setCurrentCell(row, 0); // opens the editor (CurrentChanged trigger)
    }
}

QList<Taint> TaintsDialog::taints() const {
    QList<Taint> out;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        QString key = cellText(m_table, row, 0);
        if (key.isEmpty()) {
            continue;
        }
        auto* effect = qobject_cast<QComboBox*>(m_table->cellWidget(row, 2));
        out.append({key, cellText(m_table, row, 1),
                    effect ? effect->currentText() : QStringLiteral("NoSchedule")});
    }
    return out;
}

} // namespace pilot::gui
