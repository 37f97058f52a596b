#include "gui/app/appoptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace pilot::gui {

Expected<AppOptions> parseArguments(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "pilot::gui::AppOptions", "Pilothouse: manage Kubernetes clusters, or run one locally."));
    QCommandLineOption help(
        QStringList{QStringLiteral("h"), QStringLiteral("help")},
        QCoreApplication::translate("pilot::gui::AppOptions", "Show this help."));
    QCommandLineOption version(
        QStringLiteral("version"),
        QCoreApplication::translate("pilot::gui::AppOptions", "Show the version."));
    QCommandLineOption kubeconfig(
        QStringLiteral("kubeconfig"),
        QCoreApplication::translate("pilot::gui::AppOptions",
                                    "Kubeconfig file (default: $KUBECONFIG or ~/.kube/config)."),
        QStringLiteral("file"));
    QCommandLineOption context(
        QStringLiteral("context"),
        QCoreApplication::translate("pilot::gui::AppOptions", "Context to open at start."),
        QStringLiteral("name"));
    QCommandLineOption local(
        QStringLiteral("local"),
        QCoreApplication::translate("pilot::gui::AppOptions",
                                    "Start the bundled local cluster (engine and agent)."));
    QCommandLineOption language(QStringLiteral("language"),
                                QCoreApplication::translate("pilot::gui::AppOptions",
                                                            "User interface language (en, zh_CN)."),
                                QStringLiteral("code"));
    parser.addOptions({help, version, kubeconfig, context, local, language});
    if (!parser.parse(arguments)) {
        return failure(parser.errorText());
    }
    if (!parser.positionalArguments().isEmpty()) {
        return failure(QStringLiteral("unexpected argument: ") +
                       parser.positionalArguments().first());
    }
    AppOptions options;
    options.kubeconfig = parser.value(kubeconfig);
    options.context = parser.value(context);
    options.local = parser.isSet(local);
    options.language = parser.value(language);
    options.showHelp = parser.isSet(help);
    options.showVersion = parser.isSet(version);
    options.helpText = parser.helpText();
    if (!options.language.isEmpty() && options.language != QLatin1String("en") &&
        options.language != QLatin1String("zh_CN")) {
        return failure(QStringLiteral("unsupported language: ") + options.language);
    }
    return options;
}

} // namespace pilot::gui
