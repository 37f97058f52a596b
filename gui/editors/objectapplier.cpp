#include "gui/editors/objectapplier.h"

#include "gui/editors/fieldpath.h"
#include "kube/jsonutil.h"
#include "kube/yaml.h"

#include <QRegularExpression>

namespace pilot::gui {

namespace json = boost::json;

ApiObjectRef ApiObjectRef::of(const json::object& object) {
    ApiObjectRef ref;
    ref.apiVersion = toQString(kube::stringAt(object, "apiVersion"));
    ref.kind = toQString(kube::stringAt(object, "kind"));
    const json::object* meta = kube::objectAt(object, "metadata");
    ref.namespaceName = toQString(kube::stringAt(meta, "namespace"));
    ref.name = toQString(kube::stringAt(meta, "name"));
    return ref;
}

QString ApiObjectRef::display() const {
    if (namespaceName.isEmpty()) {
        return kind + QLatin1Char(' ') + name;
    }
    return kind + QLatin1Char(' ') + namespaceName + QLatin1Char('/') + name;
}

StatusError StatusError::fromResponse(int httpCode, const QByteArray& body) {
    StatusError error;
    error.code = httpCode;
    auto parsed = kube::parseJson(std::string_view(body.constData(), size_t(body.size())));
    if (!parsed || !parsed->is_object() ||
        kube::stringAt(parsed->as_object(), "kind") != "Status") {
        error.message = QString::fromUtf8(body).trimmed();
        return error;
    }
    const json::object& status = parsed->as_object();
    error.reason = toQString(kube::stringAt(status, "reason"));
    error.message = toQString(kube::stringAt(status, "message"));
    if (auto code = kube::integerAt(status, "code"); code && *code != 0) {
        error.code = static_cast<int>(*code);
    }
    if (const json::object* details = kube::objectAt(status, "details")) {
        if (const json::array* causes = kube::arrayAt(*details, "causes")) {
            for (const json::value& c : *causes) {
                if (!c.is_object()) {
                    continue;
                }
                error.causes.append({toQString(kube::stringAt(c.as_object(), "reason")),
                                     toQString(kube::stringAt(c.as_object(), "field")),
                                     toQString(kube::stringAt(c.as_object(), "message"))});
            }
        }
    }
    return error;
}

StatusError StatusError::noResponse(const QString& message) {
    StatusError error;
    error.message = message;
    return error;
}

QList<StatusCause> StatusError::fieldCauses() const {
    QList<StatusCause> out;
    for (const StatusCause& cause : causes) {
        if (!cause.field.isEmpty()) {
            out.append(cause);
        }
    }
    if (!out.isEmpty()) {
        return out;
    }
    // kube-apiserver reports unknown fields under fieldValidation=Strict only in the message:
    // `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`.
    static const QRegularExpression unknown(QStringLiteral("unknown field \"([^\"]+)\""));
    auto it = unknown.globalMatch(message);
    while (it.hasNext()) {
        const auto match = it.next();
        out.append({QStringLiteral("FieldValueUnknown"), match.captured(1), match.captured(0)});
    }
    return out;
}

} // namespace pilot::gui
