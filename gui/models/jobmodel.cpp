#include "gui/models/jobmodel.h"

#include "gui/models/modelutil.h"

#include <QDateTime>

namespace pilot::gui {

JobModel::JobModel(QObject* parent) : ResourceModel(ResourceType::jobs(), parent) {}

RecordPtr JobModel::decode(const QJsonObject& object) {
    auto j = std::make_shared<JobRecord>();
    j->fillMeta(object);
    j->completions = intAt(object, u"spec.completions", 1);
    j->succeeded = intAt(object, u"status.succeeded");
    j->active = intAt(object, u"status.active");
    j->failed = intAt(object, u"status.failed");
    j->suspended = jsonAt(object, u"spec.suspend").toBool();
    j->startMs = parseTimestamp(stringAt(object, u"status.startTime"));
    j->completionMs = parseTimestamp(stringAt(object, u"status.completionTime"));
    j->images = imagesOf(jsonAt(object, u"spec.template.spec").toObject());
    if (conditionStatus(object, QStringLiteral("Failed")) == QLatin1String("True")) {
        j->status = QStringLiteral("Failed");
    } else if (conditionStatus(object, QStringLiteral("Complete")) == QLatin1String("True")) {
        j->status = QStringLiteral("Complete");
    } else if (j->suspended) {
        j->status = QStringLiteral("Suspended");
    } else {
        j->status = QStringLiteral("Running");
    }
    j->status = StringPool::intern(j->status);
    return j;
}

Health JobModel::health(const ObjectRecord& record) const {
    const auto& j = static_cast<const JobRecord&>(record);
    if (j.status == QLatin1String("Failed")) {
        return Health::Error;
    }
    if (j.status == QLatin1String("Complete")) {
        return Health::Ok;
    }
    if (j.status == QLatin1String("Suspended")) {
        return Health::Warning;
    }
    return j.failed > 0 ? Health::Warning : Health::Progressing;
}

QString JobModel::columnTitle(int column) const {
    switch (column) {
    case Name:
        return tr("Name");
    case Namespace:
        return tr("Namespace");
    case Status:
        return tr("Status");
    case Completions:
        return tr("Completions");
    case Duration:
        return tr("Duration");
    case Age:
        return tr("Age");
    default:
        return {};
    }
}

QVariant JobModel::cell(const ObjectRecord& record, int column) const {
    const auto& j = static_cast<const JobRecord&>(record);
    switch (column) {
    case Name:
        return j.name;
    case Namespace:
        return j.namespaceName;
    case Status:
        return j.status;
    case Completions:
        return QStringLiteral("%1/%2").arg(j.succeeded).arg(j.completions);
    case Duration: {
        if (j.startMs == 0) {
            return QString();
        }
        qint64 end = j.completionMs ? j.completionMs : QDateTime::currentMSecsSinceEpoch();
        return formatAge(end - j.startMs);
    }
    case Age:
        return ageSince(j.createdMs);
    default:
        return {};
    }
}

QVariant JobModel::sortKey(const ObjectRecord& record, int column) const {
    const auto& j = static_cast<const JobRecord&>(record);
    if (column == Duration) {
        qint64 end = j.completionMs ? j.completionMs : QDateTime::currentMSecsSinceEpoch();
        return j.startMs ? end - j.startMs : qint64(0);
    }
    if (column == Completions) {
        return j.succeeded;
    }
    return ResourceModel::sortKey(record, column);
}

} // namespace pilot::gui
