#include "gui/models/modelutil.h"

#include "gui/models/health.h"

#include <QDateTime>

namespace pilot::gui {

QColor healthColor(Health health) {
    switch (health) {
    case Health::Ok:
        return QColor(0x1b, 0x7f, 0x3a);
    case Health::Progressing:
        return QColor(0x1f, 0x5f, 0xbf);
    case Health::Warning:
        return QColor(0xb3, 0x6b, 0x00);
    case Health::Error:
        return QColor(0xc0, 0x1c, 0x28);
    case Health::Unknown:
        break;
    }
    return QColor(0x6e, 0x6e, 0x6e);
}

QString formatAge(qint64 ms) {
    qint64 s = std::max<qint64>(0, ms / 1000);
    if (s < 120) {
        return QString::number(s) + QLatin1Char('s');
    }
    qint64 m = s / 60;
    if (m < 10) {
        qint64 rest = s % 60;
        return rest ? QStringLiteral("%1m%2s").arg(m).arg(rest) : QStringLiteral("%1m").arg(m);
    }
    if (m < 180) {
        return QString::number(m) + QLatin1Char('m');
    }
    qint64 h = m / 60;
    if (h < 8) {
        qint64 rest = m % 60;
        return rest ? QStringLiteral("%1h%2m").arg(h).arg(rest) : QStringLiteral("%1h").arg(h);
    }
    if (h < 48) {
        return QString::number(h) + QLatin1Char('h');
    }
    qint64 d = h / 24;
    if (d < 8) {
        qint64 rest = h % 24;
        return rest ? QStringLiteral("%1d%2h").arg(d).arg(rest) : QStringLiteral("%1d").arg(d);
    }
    if (d < 365 * 2) {
        return QString::number(d) + QLatin1Char('d');
    }
    return QString::number(d / 365) + QLatin1Char('y');
}

QString ageSince(qint64 createdMs) {
    if (createdMs <= 0) {
        return QStringLiteral("<unknown>");
    }
    return formatAge(QDateTime::currentMSecsSinceEpoch() - createdMs);
}

QJsonValue jsonAt(const QJsonObject& object, QStringView path) {
    QJsonValue value = object;
    for (QStringView part : path.split(QLatin1Char('.'))) {
        if (!value.isObject()) {
            return {};
        }
        value = value.toObject().value(part);
    }
    return value;
}

QString stringAt(const QJsonObject& object, QStringView path) {
    return jsonAt(object, path).toString();
}

int intAt(const QJsonObject& object, QStringView path, int fallback) {
    QJsonValue value = jsonAt(object, path);
    return value.isDouble() ? value.toInt() : fallback;
}

Labels labelsFrom(const QJsonObject& map) {
    Labels out;
    out.reserve(map.size());
    for (auto it = map.begin(); it != map.end(); ++it) {
        out.append({StringPool::intern(it.key()), StringPool::intern(it.value().toString())});
    }
    return out;
}

QStringList imagesOf(const QJsonObject& podSpec) {
    QStringList images;
    for (const QJsonValue& container : podSpec.value(QLatin1String("containers")).toArray()) {
        images << StringPool::intern(container.toObject().value(QLatin1String("image")).toString());
    }
    return images;
}

QString conditionStatus(const QJsonObject& object, const QString& type) {
    const QJsonArray conditions = jsonAt(object, u"status.conditions").toArray();
    for (const QJsonValue& value : conditions) {
        QJsonObject condition = value.toObject();
        if (condition.value(QLatin1String("type")).toString() == type) {
            return condition.value(QLatin1String("status")).toString();
        }
    }
    return {};
}

QString formatLabels(const Labels& labels) {
    QStringList parts;
    parts.reserve(labels.size());
    for (const auto& [key, value] : labels) {
        parts << key + QLatin1Char('=') + value;
    }
    return parts.join(QLatin1Char(','));
}

std::pair<QString, QString> controllerOf(const QJsonObject& object) {
    const QJsonArray owners = jsonAt(object, u"metadata.ownerReferences").toArray();
    for (const QJsonValue& value : owners) {
        QJsonObject owner = value.toObject();
        if (owner.value(QLatin1String("controller")).toBool()) {
            return {StringPool::intern(owner.value(QLatin1String("kind")).toString()),
                    owner.value(QLatin1String("name")).toString()};
        }
    }
    return {};
}

} // namespace pilot::gui

namespace pilot::gui {

double parseQuantity(const QString& text) {
    QString t = text.trimmed();
    if (t.isEmpty()) {
        return 0;
    }
    static const std::pair<const char*, double> suffixes[] = {
        {"Ki", 1024.0},
        {"Mi", 1024.0 * 1024},
        {"Gi", 1024.0 * 1024 * 1024},
        {"Ti", 1024.0 * 1024 * 1024 * 1024},
        {"Pi", 1024.0 * 1024 * 1024 * 1024 * 1024},
        {"Ei", 1024.0 * 1024 * 1024 * 1024 * 1024 * 1024},
        {"n", 1e-9},
        {"u", 1e-6},
        {"m", 1e-3},
        {"k", 1e3},
        {"M", 1e6},
        {"G", 1e9},
        {"T", 1e12},
        {"P", 1e15},
        {"E", 1e18},
    };
    for (const auto& [suffix, factor] : suffixes) {
        QLatin1String s(suffix);
        if (t.endsWith(s)) {
            bool ok = false;
            double value = t.left(t.size() - s.size()).toDouble(&ok);
            return ok ? value * factor : 0;
        }
    }
    bool ok = false;
    double value = t.toDouble(&ok); // plain numbers and exponents (1e3)
    return ok ? value : 0;
}

QString formatBytes(double bytes) {
    static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int unit = 0;
    while (bytes >= 1024 && unit < 5) {
        bytes /= 1024;
        ++unit;
    }
    return QString::number(bytes, 'f', bytes < 10 && unit > 0 ? 1 : 0) + QLatin1Char(' ') +
           QLatin1String(units[unit]);
}

QString formatCores(double cores) {
    return QString::number(cores, 'f', cores < 10 ? 2 : 1);
}

} // namespace pilot::gui
