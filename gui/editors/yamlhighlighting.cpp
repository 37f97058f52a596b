#include "gui/editors/yamlhighlighting.h"

#include "gui/editors/yamlhighlighter.h"

#include <QTextDocument>
#include <QtGlobal>

#ifdef PILOT_HAVE_KSYNTAXHIGHLIGHTING
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>
#endif

namespace pilot::gui {

#ifdef PILOT_HAVE_KSYNTAXHIGHLIGHTING
namespace {

KSyntaxHighlighting::Repository& repository() {
    static KSyntaxHighlighting::Repository repo;
    return repo;
}

} // namespace
#endif

bool kSyntaxHighlightingAvailable() {
#ifdef PILOT_HAVE_KSYNTAXHIGHLIGHTING
    return true;
#else
    return false;
#endif
}

YamlHighlighterKind chooseYamlHighlighter(bool kf6Available, bool kf6HasYamlDefinition) {
    if (qEnvironmentVariable("PILOT_YAML_HIGHLIGHTER") == QLatin1String("builtin")) {
        return YamlHighlighterKind::Builtin;
    }
    if (kf6Available && kf6HasYamlDefinition) {
        return YamlHighlighterKind::KSyntaxHighlighting;
    }
    return YamlHighlighterKind::Builtin;
}

QSyntaxHighlighter* createYamlHighlighter(QTextDocument* document, YamlHighlighterKind* kind) {
    bool hasYaml = false;
#ifdef PILOT_HAVE_KSYNTAXHIGHLIGHTING
    const KSyntaxHighlighting::Definition yaml =
        repository().definitionForName(QStringLiteral("YAML"));
    hasYaml = yaml.isValid();
#endif
    const YamlHighlighterKind chosen =
        chooseYamlHighlighter(kSyntaxHighlightingAvailable(), hasYaml);
    if (kind != nullptr) {
        *kind = chosen;
    }
#ifdef PILOT_HAVE_KSYNTAXHIGHLIGHTING
    if (chosen == YamlHighlighterKind::KSyntaxHighlighting) {
        auto* highlighter = new KSyntaxHighlighting::SyntaxHighlighter(document);
        highlighter->setTheme(
            repository().defaultTheme(KSyntaxHighlighting::Repository::LightTheme));
        highlighter->setDefinition(yaml);
        return highlighter;
    }
#endif
    return new YamlHighlighter(document);
}

} // namespace pilot::gui
