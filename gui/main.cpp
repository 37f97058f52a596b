// pilothouse: the console (architecture.md §2 and §5).
#include "gui/app/appoptions.h"
#include "gui/app/languagemanager.h"
#include "gui/app/mainwindow.h"
#include "gui/app/processsetup.h"

#include <QApplication>

#include <cstdio>

int main(int argc, char** argv) {
    pilot::gui::configureProcess();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("pilothouse"));
    QApplication::setOrganizationName(QStringLiteral("Pilothouse"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    auto options = pilot::gui::parseArguments(QApplication::arguments());
    if (!options) {
        std::fprintf(stderr, "pilothouse: %s\n", qPrintable(options.error()));
        return 2;
    }
    if (options->showHelp) {
        std::fputs(qPrintable(options->helpText), stdout);
        return 0;
    }
    if (options->showVersion) {
        std::puts("pilothouse 0.1.0");
        return 0;
    }
    pilot::gui::LanguageManager language;
    language.setLanguage(options->language.isEmpty()
                             ? pilot::gui::LanguageManager::initialLanguage()
                             : options->language);
    pilot::gui::MainWindow window(*options, &language);
    window.show();
    return QApplication::exec();
}
