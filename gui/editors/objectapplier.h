#pragma once

#include <boost/json/object.hpp>

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>

#include <expected>
#include <functional>

namespace pilot::gui {

/// Names one object: `apiVersion` (`apps/v1`, `v1`), `kind`, namespace (empty for cluster-scoped
/// kinds) and name.
struct ApiObjectRef {
    QString apiVersion;
    QString kind;
    QString namespaceName;
    QString name;

    /// The reference of an object's own `apiVersion`, `kind` and `metadata`.
    [[nodiscard]] static ApiObjectRef of(const boost::json::object& object);
    [[nodiscard]] bool isValid() const { return !kind.isEmpty() && !name.isEmpty(); }
    /// `Deployment default/web`, for messages.
    [[nodiscard]] QString display() const;
    friend bool operator==(const ApiObjectRef&, const ApiObjectRef&) = default;
};

/// One entry of a Kubernetes `Status.details.causes`.
struct StatusCause {
    QString reason; ///< `FieldValueInvalid`, `FieldValueRequired`, `FieldValueUnknown`, ...
    QString field;  ///< `spec.template.spec.containers[0].image`; may be empty.
    QString message;
};

/// A failed request, shaped like the Kubernetes `Status` the API server returned, or a request
/// that got no response (`code` 0, `reason` empty, `message` says why).
struct StatusError {
    int code = 0;
    QString reason; ///< `Invalid`, `NotFound`, `AlreadyExists`, `Conflict`, `BadRequest`, ...
    QString message;
    QList<StatusCause> causes;

    /// Parses a response body; a body that is not a Status keeps its text as the message.
    [[nodiscard]] static StatusError fromResponse(int httpCode, const QByteArray& body);
    [[nodiscard]] static StatusError noResponse(const QString& message);
    [[nodiscard]] bool isNotFound() const { return code == 404; }
    /// The causes that name a field. A strict-decoding error (`unknown field "spec.x"`, sent as
    /// a BadRequest without causes) yields one `FieldValueUnknown` cause per unknown field.
    [[nodiscard]] QList<StatusCause> fieldCauses() const;
};

template <typename T>
using RequestResult = std::expected<T, StatusError>;
using ObjectResult = RequestResult<boost::json::object>;
using ObjectCallback = std::function<void(const ObjectResult&)>;

enum class PatchKind {
    Json,           ///< application/json-patch+json
    Merge,          ///< application/merge-patch+json
    StrategicMerge, ///< application/strategic-merge-patch+json
};

/// How the editors reach the API server. The console implements it over its connection's client;
/// the tests over a real engine. Every call is asynchronous: `done` runs exactly once, later, on
/// the GUI thread, and never after `context` was destroyed. Objects are JSON as the API serves
/// them (boost::json, so integers keep 64 bits).
class ObjectApplier {
public:
    virtual ~ObjectApplier() = default;

    /// Reads the live object; a missing object fails with code 404.
    virtual void get(const ApiObjectRef& ref, QObject* context, ObjectCallback done) = 0;
    /// What `apply` would store, without storing it (`?dryRun=All`, `fieldValidation=Strict`):
    /// a create when the object does not exist, else a replace of the live object.
    virtual void dryRun(const boost::json::object& object, QObject* context,
                        ObjectCallback done) = 0;
    /// Creates the object when it does not exist, else replaces the live one with it (an update
    /// that keeps the live `resourceVersion` unless the object carries one, so a concurrent change
    /// fails with 409 Conflict). `fieldValidation=Strict`. Yields the stored object.
    virtual void apply(const boost::json::object& object, QObject* context,
                       ObjectCallback done) = 0;
    /// Patches the live object (used for rollbacks). Yields the stored object.
    virtual void patch(const ApiObjectRef& ref, PatchKind kind, const QByteArray& body,
                       QObject* context, ObjectCallback done) = 0;
};

} // namespace pilot::gui
