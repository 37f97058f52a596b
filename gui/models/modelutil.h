#pragma once

#include "gui/client/objectrecord.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace pilot::gui {

/// kubectl's short durations: 45s, 12m, 3h20m, 5d, 2y.
[[nodiscard]] QString formatAge(qint64 ms);

/// The age of something created at `createdMs` (ms since epoch), relative to now.
[[nodiscard]] QString ageSince(qint64 createdMs);

/// The value at a dotted path (`status.phase`) inside `object`.
[[nodiscard]] QJsonValue jsonAt(const QJsonObject& object, QStringView path);
[[nodiscard]] QString stringAt(const QJsonObject& object, QStringView path);
[[nodiscard]] int intAt(const QJsonObject& object, QStringView path, int fallback = 0);

/// A string-to-string JSON map as Labels (interned).
[[nodiscard]] Labels labelsFrom(const QJsonObject& map);

/// Container images of a pod spec, in order, interned.
[[nodiscard]] QStringList imagesOf(const QJsonObject& podSpec);

/// The status of a condition of `type` in `status.conditions` ("True", "False", "Unknown", or
/// empty when absent).
[[nodiscard]] QString conditionStatus(const QJsonObject& object, const QString& type);

/// "a=b,c=d".
[[nodiscard]] QString formatLabels(const Labels& labels);

/// The controller owner reference (kind, name), if any.
[[nodiscard]] std::pair<QString, QString> controllerOf(const QJsonObject& object);

} // namespace pilot::gui

namespace pilot::gui {

/// A Kubernetes quantity ("250m", "8Gi", "1e3") in base units (cores, bytes); 0 if invalid.
[[nodiscard]] double parseQuantity(const QString& text);

/// Bytes as "1.5 GiB"; cores as "1.25" (for capacity columns and charts).
[[nodiscard]] QString formatBytes(double bytes);
[[nodiscard]] QString formatCores(double cores);

} // namespace pilot::gui
