#pragma once

#include "gui/editors/fieldpath.h"

#include <boost/json/object.hpp>

#include <QObject>

#include <functional>

namespace pilot::gui {

/// The object being edited, shared by the YAML view and the form of an ObjectEditor. Every change
/// names its origin (the view that made it) so that a view does not reload what it just wrote;
/// `changed` is emitted synchronously after each change. GUI thread only.
class ObjectDocument : public QObject {
    Q_OBJECT
public:
    explicit ObjectDocument(QObject* parent = nullptr);

    [[nodiscard]] const boost::json::object& object() const { return m_object; }
    void setObject(boost::json::object object, QObject* origin);

    [[nodiscard]] const boost::json::value* value(const FieldPath& path) const;
    /// Sets the value at `path`, creating missing objects on the way. No signal when the value
    /// is already equal.
    void setValue(const FieldPath& path, boost::json::value value, QObject* origin);
    /// Removes the value at `path` and the objects that removal left empty (except the first
    /// `keep` steps of the path).
    void remove(const FieldPath& path, QObject* origin, qsizetype keep = 1);
    /// Any other change, in one step.
    void edit(const std::function<void(boost::json::object&)>& change, QObject* origin);

    /// Whether the YAML view currently holds text that does not parse; forms are then read-only.
    [[nodiscard]] bool isTextValid() const { return m_textValid; }
    void setTextValid(bool valid);

Q_SIGNALS:
    void changed(QObject* origin);
    void textValidityChanged(bool valid);

private:
    boost::json::object m_object;
    bool m_textValid = true;
};

} // namespace pilot::gui
