#include "gui/editors/yamldiagnostics.h"

#include "gui/editors/yamllocator.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace pilot::gui {

namespace json = boost::json;

/// The translation context of the messages below.
class YamlDiagnostics {
    Q_DECLARE_TR_FUNCTIONS(pilot::gui::YamlDiagnostics)
};

YamlDiagnostic parseErrorDiagnostic(const QString& parseError) {
    static const QRegularExpression position(
        QStringLiteral("^yaml: line (\\d+), column (\\d+): (.*)$"),
        QRegularExpression::DotMatchesEverythingOption);
    YamlDiagnostic d;
    d.source = YamlDiagnostic::Source::Parse;
    const auto match = position.match(parseError);
    if (!match.hasMatch()) {
        d.message = parseError;
        return d;
    }
    d.line = match.captured(1).toInt();
    d.column = match.captured(2).toInt();
    d.message = match.captured(3);
    return d;
}

QList<YamlDiagnostic> serverDiagnostics(const QString& text, const StatusError& error,
                                        int documentIndex) {
    QList<YamlDiagnostic> out;
    for (const StatusCause& cause : error.fieldCauses()) {
        YamlDiagnostic d;
        d.source = YamlDiagnostic::Source::Server;
        d.field = cause.field;
        d.message = cause.message.isEmpty() ? cause.reason : cause.message;
        const YamlLocation location =
            locateField(text, FieldPath::parse(cause.field), documentIndex);
        d.line = location.line;
        out.append(d);
    }
    if (out.isEmpty()) {
        YamlDiagnostic d;
        d.source = YamlDiagnostic::Source::Server;
        d.message = error.message;
        out.append(d);
    }
    return out;
}

QList<YamlDiagnostic> objectDiagnostics(const QString& text, const json::value& document) {
    QList<YamlDiagnostic> out;
    auto add = [&](const QString& field, const QString& message) {
        YamlDiagnostic d;
        d.source = YamlDiagnostic::Source::Object;
        d.field = field;
        d.message = message;
        d.line = locateField(text, FieldPath::parse(field)).line;
        out.append(d);
    };
    const json::object* object = document.if_object();
    if (object == nullptr) {
        YamlDiagnostic d;
        d.source = YamlDiagnostic::Source::Object;
        d.line = 1;
        d.message =
            YamlDiagnostics::tr("A Kubernetes object must be a mapping with apiVersion, kind and "
                                "metadata");
        out.append(d);
        return out;
    }
    for (const char* field : {"apiVersion", "kind"}) {
        const json::value* v = object->if_contains(field);
        if (v == nullptr || !v->is_string() || v->get_string().empty()) {
            add(QString::fromLatin1(field), YamlDiagnostics::tr("Required value"));
        }
    }
    const json::value* meta = object->if_contains("metadata");
    const json::value* name =
        meta && meta->is_object() ? meta->as_object().if_contains("name") : nullptr;
    const json::value* generateName =
        meta && meta->is_object() ? meta->as_object().if_contains("generateName") : nullptr;
    if ((name == nullptr || !name->is_string() || name->get_string().empty()) &&
        (generateName == nullptr || !generateName->is_string())) {
        add(QStringLiteral("metadata.name"), YamlDiagnostics::tr("Required value"));
    }
    return out;
}

} // namespace pilot::gui
