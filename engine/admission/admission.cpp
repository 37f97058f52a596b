#include "engine/admission/admission.h"

#include "engine/admission/jsonaccess.h"
#include "engine/admission/validation.h"

namespace pilot::admission {
namespace json = boost::json;
using namespace detail;

namespace {

NameRule nameRuleFor(const kube::ResourceType& type) {
    if (type.gvk.group.empty()) {
        if (type.plural == "namespaces") {
            return NameRule::Label;
        }
        if (type.plural == "services") {
            return NameRule::Dns1035Label;
        }
    }
    if (type.gvk.group == "rbac.authorization.k8s.io") {
        return NameRule::PathSegment;
    }
    return NameRule::Subdomain;
}

// A CustomResourceDefinition must be named `<plural>.<group>`.
void validateCustomResourceDefinitionName(const json::object& crd, Errors& errors) {
    const json::object* meta = objectAt(crd, "metadata");
    const json::object* spec = objectAt(crd, "spec");
    const json::object* names = spec == nullptr ? nullptr : objectAt(*spec, "names");
    if (meta == nullptr || spec == nullptr || names == nullptr) {
        return;
    }
    std::string name = stringAt(*meta, "name");
    std::string expected = stringAt(*names, "plural") + "." + stringAt(*spec, "group");
    if (!name.empty() && name != expected) {
        errors.invalid("metadata.name", goQuote(name),
                       "must be spec.names.plural+\".\"+spec.group");
    }
}

} // namespace

kube::FieldErrors validate(const kube::ResourceType& type, const json::object& object,
                           const json::object* old) {
    kube::FieldErrors result;
    Errors errors(result);
    const std::string& group = type.gvk.group;
    const std::string& plural = type.plural;
    if (!type.custom && group.empty()) {
        if (plural == "pods") {
            validatePod(object, old, errors);
            return result;
        }
        if (plural == "replicationcontrollers" || plural == "podtemplates") {
            validateWorkload(plural, object, old, errors);
            return result;
        }
        if (plural == "services" || plural == "configmaps" || plural == "secrets" ||
            plural == "namespaces" || plural == "nodes" || plural == "persistentvolumeclaims") {
            validateCoreKind(plural, object, old, errors);
            return result;
        }
    }
    if (!type.custom && group == "apps" &&
        (plural == "deployments" || plural == "replicasets" || plural == "statefulsets" ||
         plural == "daemonsets")) {
        validateWorkload(plural, object, old, errors);
        return result;
    }
    if (!type.custom && group == "batch" && (plural == "jobs" || plural == "cronjobs")) {
        validateJobKind(plural, object, old, errors);
        return result;
    }
    validateObjectMeta(object, type.namespaced,
                       type.custom ? NameRule::Subdomain : nameRuleFor(type), errors);
    if (!type.custom && group == "apiextensions.k8s.io" && plural == "customresourcedefinitions") {
        validateCustomResourceDefinitionName(object, errors);
    }
    return result;
}

} // namespace pilot::admission
