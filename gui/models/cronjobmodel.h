#pragma once

#include "gui/models/resourcemodel.h"

namespace pilot::gui {

/// What the CronJobs list needs of a CronJob.
struct CronJobRecord : ObjectRecord {
    QString schedule;
    QString timeZone;
    bool suspended = false;
    int active = 0;
    qint64 lastScheduleMs = 0;
    QStringList images;
};

/// CronJobs.
class CronJobModel : public ResourceModel {
    Q_OBJECT
public:
    enum Column { Name, Namespace, Schedule, Suspend, Active, LastSchedule, Age, ColumnCount };
    Q_ENUM(Column)

    explicit CronJobModel(QObject* parent = nullptr);
    [[nodiscard]] RecordDecoder decoder() const override { return &decode; }
    [[nodiscard]] static RecordPtr decode(const QJsonObject& object);
    [[nodiscard]] Health health(const ObjectRecord& record) const override;
    [[nodiscard]] int statusColumn() const override { return Suspend; }
    [[nodiscard]] int ageColumn() const override { return Age; }

protected:
    [[nodiscard]] int columns() const override { return ColumnCount; }
    [[nodiscard]] QString columnTitle(int column) const override;
    [[nodiscard]] QVariant cell(const ObjectRecord& record, int column) const override;
    [[nodiscard]] QVariant sortKey(const ObjectRecord& record, int column) const override;
};

} // namespace pilot::gui
