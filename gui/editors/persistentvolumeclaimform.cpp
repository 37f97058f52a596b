#include "gui/editors/persistentvolumeclaimform.h"

#include <boost/json/array.hpp>

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSignalBlocker>

namespace pilot::gui {

namespace json = boost::json;

namespace {

const char* const AccessModes[] = {"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany",
                                   "ReadWriteOncePod"};

} // namespace

PersistentVolumeClaimForm::PersistentVolumeClaimForm(ObjectDocument* document, QWidget* parent)
    : KindForm(document, parent) {
    auto* modes = new QWidget(this);
    auto* row = new QHBoxLayout(modes);
    row->setContentsMargins(0, 0, 0, 0);
    for (const char* mode : AccessModes) {
        auto* check = new QCheckBox(QString::fromLatin1(mode), modes);
        check->setObjectName(QString::fromLatin1(mode));
        connect(check, &QCheckBox::toggled, this, [this, check] { modesEdited(check); });
        m_modes.append(check);
        row->addWidget(check);
    }
    row->addStretch(1);
    addRow(
        formLayout(), [] { return tr("Access modes"); }, modes);
    auto* size = new QLineEdit(this);
    size->setObjectName(QStringLiteral("storage"));
    addRow(
        formLayout(), [] { return tr("Size"); }, size,
        bindText(size,
                 {QStringLiteral("spec"), QStringLiteral("resources"), QStringLiteral("requests"),
                  QStringLiteral("storage")},
                 TextKind::String, [](const QString& v) {
                     const QString r = validators::required(v);
                     return r.isEmpty() ? validators::quantity(v) : r;
                 }));
    translated([size] { size->setPlaceholderText(tr("e.g. 10Gi")); });
    auto* storageClass = new QLineEdit(this);
    storageClass->setObjectName(QStringLiteral("storageClassName"));
    bindText(storageClass, {QStringLiteral("spec"), QStringLiteral("storageClassName")});
    translated([storageClass] { storageClass->setPlaceholderText(tr("the default class")); });
    addRow(
        formLayout(), [] { return tr("Storage class"); }, storageClass);
    auto* volumeMode = new QComboBox(this);
    volumeMode->setObjectName(QStringLiteral("volumeMode"));
    volumeMode->addItem(QStringLiteral("Filesystem"), QStringLiteral("Filesystem"));
    volumeMode->addItem(QStringLiteral("Block"), QStringLiteral("Block"));
    bindCombo(volumeMode, {QStringLiteral("spec"), QStringLiteral("volumeMode")});
    addRow(
        formLayout(), [] { return tr("Volume mode"); }, volumeMode);
}

json::object PersistentVolumeClaimForm::newObject(const QString& namespaceName) const {
    return json::object{
        {"apiVersion", "v1"},
        {"kind", "PersistentVolumeClaim"},
        {"metadata", json::object{{"name", ""}, {"namespace", toStdString(namespaceName)}}},
        {"spec", json::object{
                     {"accessModes", json::array{"ReadWriteOnce"}},
                     {"resources", json::object{{"requests", json::object{{"storage", "1Gi"}}}}}}}};
}

void PersistentVolumeClaimForm::modesEdited(QCheckBox* origin) {
    json::array modes;
    for (QCheckBox* check : std::as_const(m_modes)) {
        if (check->isChecked()) {
            modes.emplace_back(json::string(toStdString(check->objectName())));
        }
    }
    const FieldPath path{QStringLiteral("spec"), QStringLiteral("accessModes")};
    if (modes.empty()) {
        removeValue(path, origin);
    } else {
        writeValue(path, std::move(modes), origin);
    }
}

void PersistentVolumeClaimForm::load(QObject* origin) {
    KindForm::load(origin);
    QStringList modes;
    if (const json::value* v = valueAt({QStringLiteral("spec"), QStringLiteral("accessModes")});
        v && v->is_array()) {
        for (const json::value& m : v->as_array()) {
            if (m.is_string()) {
                modes.append(toQString(m.get_string()));
            }
        }
    }
    for (QCheckBox* check : std::as_const(m_modes)) {
        const QSignalBlocker block(check);
        check->setChecked(modes.contains(check->objectName()));
    }
}

} // namespace pilot::gui
