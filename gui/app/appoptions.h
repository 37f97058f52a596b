#pragma once

#include "gui/client/expected.h"

#include <QString>
#include <QStringList>

namespace pilot::gui {

/// `pilothouse [--kubeconfig FILE] [--context NAME] [--local] [--language en|zh_CN]`
/// (architecture.md §2).
struct AppOptions {
    QString kubeconfig;
    QString context;
    bool local = false;
    QString language; ///< Empty: the saved choice, else the system locale.
    bool showHelp = false;
    bool showVersion = false;
    QString helpText;
};

/// Parses the command line (the first element is the program). Unknown options are errors.
[[nodiscard]] Expected<AppOptions> parseArguments(const QStringList& arguments);

} // namespace pilot::gui
