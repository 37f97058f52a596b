#pragma once

#include "gui/models/resourcemodel.h"

namespace pilot::gui {

/// What the Jobs list needs of a Job.
struct JobRecord : ObjectRecord {
    QString status; ///< Running, Complete, Failed, Suspended.
    int completions = 1;
    int succeeded = 0;
    int active = 0;
    int failed = 0;
    qint64 startMs = 0;
    qint64 completionMs = 0;
    bool suspended = false;
    QStringList images;
};

/// Jobs.
class JobModel : public ResourceModel {
    Q_OBJECT
public:
    enum Column { Name, Namespace, Status, Completions, Duration, Age, ColumnCount };
    Q_ENUM(Column)

    explicit JobModel(QObject* parent = nullptr);
    [[nodiscard]] RecordDecoder decoder() const override { return &decode; }
    [[nodiscard]] static RecordPtr decode(const QJsonObject& object);
    [[nodiscard]] Health health(const ObjectRecord& record) const override;
    [[nodiscard]] int statusColumn() const override { return Status; }
    [[nodiscard]] int ageColumn() const override { return Age; }

protected:
    [[nodiscard]] int columns() const override { return ColumnCount; }
    [[nodiscard]] QString columnTitle(int column) const override;
    [[nodiscard]] QVariant cell(const ObjectRecord& record, int column) const override;
    [[nodiscard]] QVariant sortKey(const ObjectRecord& record, int column) const override;
};

} // namespace pilot::gui
