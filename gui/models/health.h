#pragma once

#include <QColor>
#include <QMetaType>

namespace pilot::gui {

/// How an object is doing, for status colours and dashboard counts.
enum class Health {
    Unknown,
    Ok,          ///< Running, Ready, Available, Bound, Complete.
    Progressing, ///< Pending, rolling out, terminating.
    Warning,     ///< Degraded but working: not all ready, cordoned, paused.
    Error,       ///< Failed, CrashLoopBackOff, NotReady.
};

/// The text colour for a status of this health (readable on light and dark bases).
[[nodiscard]] QColor healthColor(Health health);

} // namespace pilot::gui

Q_DECLARE_METATYPE(pilot::gui::Health)
