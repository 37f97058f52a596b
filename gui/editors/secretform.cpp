#include "gui/editors/secretform.h"

#include "gui/editors/configmapform.h"
#include "gui/editors/keyvaluetable.h"
#include "gui/editors/objectdocument.h"

#include <QComboBox>
#include <QFormLayout>
#include <QStringDecoder>

namespace pilot::gui {

namespace json = boost::json;

namespace {

/// The value as text, or nullopt when the bytes are not UTF-8.
std::optional<QString> decodeText(const QByteArray& bytes) {
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = decoder.decode(bytes);
    if (decoder.hasError()) {
        return std::nullopt;
    }
    return text;
}

} // namespace

SecretForm::SecretForm(ObjectDocument* document, QWidget* parent)
    : KindForm(document, parent), m_type(new QComboBox(this)), m_data(new KeyValueTable(this)) {
    m_type->setObjectName(QStringLiteral("type"));
    for (const char* type : {"Opaque", "kubernetes.io/tls", "kubernetes.io/dockerconfigjson",
                             "kubernetes.io/basic-auth", "kubernetes.io/ssh-auth"}) {
        m_type->addItem(QString::fromLatin1(type), QString::fromLatin1(type));
    }
    bindCombo(m_type, {QStringLiteral("type")});
    addRow(
        formLayout(), [] { return tr("Type"); }, m_type);
    m_data->setObjectName(QStringLiteral("data"));
    m_data->setMultiLineValues(true);
    m_data->setPasteEnabled(true);
    m_data->setKeyValidator(validateDataKey);
    connect(m_data, &KeyValueTable::edited, this, &SecretForm::dataEdited);
    addRow(
        formLayout(), [] { return tr("Data"); }, m_data);
}

json::object SecretForm::newObject(const QString& namespaceName) const {
    return json::object{
        {"apiVersion", "v1"},
        {"kind", "Secret"},
        {"metadata", json::object{{"name", ""}, {"namespace", toStdString(namespaceName)}}},
        {"type", "Opaque"},
        {"data", json::object()}};
}

void SecretForm::load(QObject* origin) {
    KindForm::load(origin);
    if (origin == m_data) {
        return;
    }
    m_loaded.clear();
    KeyValueTable::Entries entries;
    if (const json::value* data = valueAt({QStringLiteral("data")}); data && data->is_object()) {
        for (const auto& [key, value] : data->as_object()) {
            const std::string encoded = value.is_string() ? std::string(value.get_string()) : "";
            const QByteArray bytes = QByteArray::fromBase64(QByteArray::fromStdString(encoded));
            const std::optional<QString> text = decodeText(bytes);
            const QString shown = text ? *text : tr("(binary data, %1 bytes)").arg(bytes.size());
            m_loaded.insert(toQString(key), {shown, encoded});
            entries.append({toQString(key), shown});
        }
    }
    if (const json::value* plain = valueAt({QStringLiteral("stringData")});
        plain && plain->is_object()) {
        for (const auto& [key, value] : plain->as_object()) {
            entries.append(
                {toQString(key), value.is_string() ? toQString(value.get_string()) : QString()});
        }
    }
    m_data->setEntries(entries);
}

void SecretForm::dataEdited() {
    json::object data;
    for (const auto& [key, value] : m_data->entries()) {
        const auto loaded = m_loaded.constFind(key);
        if (loaded != m_loaded.constEnd() && loaded->first == value) {
            data[toStdString(key)] = loaded->second; // unchanged: the stored bytes
            continue;
        }
        data[toStdString(key)] = value.toUtf8().toBase64().toStdString();
    }
    // Everything the table shows is written to `data`; stringData would shadow it.
    document()->edit(
        [&](json::object& object) {
            object.erase("stringData");
            if (data.empty()) {
                object.erase("data");
            } else {
                object["data"] = std::move(data);
            }
        },
        m_data);
}

QStringList SecretForm::validationErrors() const {
    QStringList errors = KindForm::validationErrors();
    if (const QString e = m_data->validationError(); !e.isEmpty()) {
        errors.append(e);
    }
    return errors;
}

} // namespace pilot::gui
