#include "gui/editors/objectdocument.h"

#include "kube/jsonutil.h"

namespace pilot::gui {

namespace json = boost::json;

ObjectDocument::ObjectDocument(QObject* parent) : QObject(parent) {}

void ObjectDocument::setObject(json::object object, QObject* origin) {
    if (kube::jsonEqual(object, m_object)) {
        return;
    }
    m_object = std::move(object);
    Q_EMIT changed(origin);
}

const json::value* ObjectDocument::value(const FieldPath& path) const {
    return path.find(m_object);
}

void ObjectDocument::setValue(const FieldPath& path, json::value value, QObject* origin) {
    if (const json::value* current = path.find(m_object);
        current && kube::jsonEqual(*current, value)) {
        return;
    }
    json::value* slot = path.ensure(m_object);
    if (slot == nullptr) {
        return;
    }
    *slot = std::move(value);
    Q_EMIT changed(origin);
}

void ObjectDocument::remove(const FieldPath& path, QObject* origin, qsizetype keep) {
    if (path.remove(m_object, keep)) {
        Q_EMIT changed(origin);
    }
}

void ObjectDocument::edit(const std::function<void(json::object&)>& change, QObject* origin) {
    json::object before = m_object;
    change(m_object);
    if (!kube::jsonEqual(before, m_object)) {
        Q_EMIT changed(origin);
    }
}

void ObjectDocument::setTextValid(bool valid) {
    if (valid == m_textValid) {
        return;
    }
    m_textValid = valid;
    Q_EMIT textValidityChanged(valid);
}

} // namespace pilot::gui
