#pragma once

#include "gui/models/resourcemodel.h"

namespace pilot::gui {

/// What the event lists need of a core/v1 Event.
struct EventRecord : ObjectRecord {
    QString type; ///< Normal or Warning.
    QString reason;
    QString message;
    QString objectKind;
    QString objectName;
    QString objectNamespace;
    QString objectUid;
    QString source;
    int count = 1;
    qint64 lastSeenMs = 0;
};

/// Events (core/v1), newest information first when sorted by "Last seen".
class EventModel : public ResourceModel {
    Q_OBJECT
public:
    enum Column { LastSeen, Type, Reason, Object, Message, Count, Namespace, ColumnCount };
    Q_ENUM(Column)

    explicit EventModel(QObject* parent = nullptr);
    [[nodiscard]] RecordDecoder decoder() const override { return &decode; }
    [[nodiscard]] static RecordPtr decode(const QJsonObject& object);

    [[nodiscard]] Health health(const ObjectRecord& record) const override;
    [[nodiscard]] int statusColumn() const override { return Type; }
    [[nodiscard]] int ageColumn() const override { return LastSeen; }
    [[nodiscard]] QString searchText(const ObjectRecord& record) const override;

protected:
    [[nodiscard]] int columns() const override { return ColumnCount; }
    [[nodiscard]] QString columnTitle(int column) const override;
    [[nodiscard]] QVariant cell(const ObjectRecord& record, int column) const override;
    [[nodiscard]] QVariant sortKey(const ObjectRecord& record, int column) const override;
    [[nodiscard]] QVariant toolTip(const ObjectRecord& record, int column) const override;
};

} // namespace pilot::gui
