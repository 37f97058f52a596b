#include "gui/models/cronjobmodel.h"

#include "gui/models/modelutil.h"

namespace pilot::gui {

CronJobModel::CronJobModel(QObject* parent) : ResourceModel(ResourceType::cronJobs(), parent) {}

RecordPtr CronJobModel::decode(const QJsonObject& object) {
    auto c = std::make_shared<CronJobRecord>();
    c->fillMeta(object);
    c->schedule = stringAt(object, u"spec.schedule");
    c->timeZone = stringAt(object, u"spec.timeZone");
    c->suspended = jsonAt(object, u"spec.suspend").toBool();
    c->active = int(jsonAt(object, u"status.active").toArray().size());
    c->lastScheduleMs = parseTimestamp(stringAt(object, u"status.lastScheduleTime"));
    c->images = imagesOf(jsonAt(object, u"spec.jobTemplate.spec.template.spec").toObject());
    return c;
}

Health CronJobModel::health(const ObjectRecord& record) const {
    return static_cast<const CronJobRecord&>(record).suspended ? Health::Warning : Health::Ok;
}

QString CronJobModel::columnTitle(int column) const {
    switch (column) {
    case Name:
        return tr("Name");
    case Namespace:
        return tr("Namespace");
    case Schedule:
        return tr("Schedule");
    case Suspend:
        return tr("Suspend");
    case Active:
        return tr("Active");
    case LastSchedule:
        return tr("Last schedule");
    case Age:
        return tr("Age");
    default:
        return {};
    }
}

QVariant CronJobModel::cell(const ObjectRecord& record, int column) const {
    const auto& c = static_cast<const CronJobRecord&>(record);
    switch (column) {
    case Name:
        return c.name;
    case Namespace:
        return c.namespaceName;
    case Schedule:
        return c.timeZone.isEmpty()
                   ? c.schedule
                   : QString(c.schedule + QStringLiteral(" (") + c.timeZone + QLatin1Char(')'));
    case Suspend:
        return c.suspended ? tr("True") : tr("False");
    case Active:
        return c.active;
    case LastSchedule:
        return c.lastScheduleMs ? ageSince(c.lastScheduleMs) : tr("<none>");
    case Age:
        return ageSince(c.createdMs);
    default:
        return {};
    }
}

QVariant CronJobModel::sortKey(const ObjectRecord& record, int column) const {
    const auto& c = static_cast<const CronJobRecord&>(record);
    if (column == LastSchedule) {
        return -c.lastScheduleMs;
    }
    return ResourceModel::sortKey(record, column);
}

} // namespace pilot::gui
