#pragma once

class QSyntaxHighlighter;
class QTextDocument;

namespace pilot::gui {

/// Which YAML highlighter the editors use. KDE's KSyntaxHighlighting (KF6) when the build found
/// it (CMake `find_package(KF6SyntaxHighlighting)`, defining PILOT_HAVE_KSYNTAXHIGHLIGHTING) and
/// it knows YAML; otherwise the console's own YamlHighlighter. This is the one place the choice
/// is made.
enum class YamlHighlighterKind { KSyntaxHighlighting, Builtin };

/// Whether this build has KSyntaxHighlighting.
[[nodiscard]] bool kSyntaxHighlightingAvailable();

/// The choice: KSyntaxHighlighting when `kf6Available` and it has a YAML definition; the
/// environment variable PILOT_YAML_HIGHLIGHTER=builtin forces the own highlighter.
[[nodiscard]] YamlHighlighterKind chooseYamlHighlighter(bool kf6Available,
                                                        bool kf6HasYamlDefinition);

/// Creates the chosen highlighter on `document` (which owns it). `kind`, when given, is what
/// the highlighter was created as.
QSyntaxHighlighter* createYamlHighlighter(QTextDocument* document,
                                          YamlHighlighterKind* kind = nullptr);

} // namespace pilot::gui
