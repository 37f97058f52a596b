#include "gui/editors/configmapform.h"

#include "gui/editors/keyvaluetable.h"

#include <QFormLayout>
#include <QRegularExpression>

namespace pilot::gui {

namespace json = boost::json;

ConfigMapForm::ConfigMapForm(ObjectDocument* document, QWidget* parent)
    : KindForm(document, parent), m_data(new KeyValueTable(this)) {
    m_data->setObjectName(QStringLiteral("data"));
    m_data->setMultiLineValues(true);
    m_data->setPasteEnabled(true);
    m_data->setKeyValidator(validateDataKey);
    bindMap(m_data, {QStringLiteral("data")});
    addRow(
        formLayout(), [] { return tr("Data"); }, m_data);
}

json::object ConfigMapForm::newObject(const QString& namespaceName) const {
    return json::object{
        {"apiVersion", "v1"},
        {"kind", "ConfigMap"},
        {"metadata", json::object{{"name", ""}, {"namespace", toStdString(namespaceName)}}},
        {"data", json::object()}};
}

QString validateDataKey(const QString& key) {
    static const QRegularExpression pattern(QStringLiteral("^[-._a-zA-Z0-9]+$"));
    if (key.size() <= 253 && pattern.match(key).hasMatch()) {
        return {};
    }
    return ConfigMapForm::tr("Keys use letters, digits, '-', '_' and '.' (at most 253)");
}

} // namespace pilot::gui
