#pragma once

#include "gui/client/expected.h"
#include "gui/client/objectrecord.h"

#include <QString>
#include <QStringList>

namespace pilot::gui {

/// A label selector typed by the user (`app=web,tier in (a,b),!canary`), parsed with the same
/// grammar and messages as the API server (kube/labelselector) and evaluated on records.
class LabelFilter {
public:
    LabelFilter() = default;
    /// An empty text matches everything; invalid text is an error to show beside the field.
    [[nodiscard]] static Expected<LabelFilter> parse(const QString& text);

    [[nodiscard]] bool isEmpty() const { return m_requirements.isEmpty(); }
    [[nodiscard]] bool matches(const Labels& labels) const;

private:
    enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist, Gt, Lt };
    struct Requirement {
        QString key;
        Op op = Op::Exists;
        QStringList values;
    };
    QList<Requirement> m_requirements;
};

} // namespace pilot::gui
