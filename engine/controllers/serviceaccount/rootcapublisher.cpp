#include "engine/controllers/serviceaccount/rootcapublisher.h"

#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

bool isRootCa(const json::object& configMap) {
    return kube::name(configMap) == RootCaPublisher::ConfigMapName;
}

} // namespace

RootCaPublisher::RootCaPublisher(kube::ApiClient& client, Options options)
    : QueueController("root-ca-cert-publisher", 1), m_client(client),
      m_options(std::move(options)) {}

RootCaPublisher::~RootCaPublisher() {
    stop();
}

void RootCaPublisher::setUp(SharedInformers& informers) {
    m_namespaces = &informers.forResource(kube::resources::Namespaces);
    m_configMaps = &informers.forName(kube::resources::ConfigMaps, std::string(ConfigMapName));
    kube::InformerHandlers namespaces;
    namespaces.onAdd = [this](const kube::ObjectPtr& ns) { enqueue(std::string(kube::name(*ns))); };
    namespaces.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& ns) {
        enqueue(std::string(kube::name(*ns)));
    };
    m_namespaces->addHandlers(std::move(namespaces));
    kube::InformerHandlers configMaps;
    configMaps.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& configMap) {
        if (isRootCa(*configMap)) {
            enqueue(std::string(kube::namespaceOf(*configMap)));
        }
    };
    configMaps.onDelete = [this](const kube::ObjectPtr& configMap) {
        if (isRootCa(*configMap)) {
            enqueue(std::string(kube::namespaceOf(*configMap)));
        }
    };
    m_configMaps->addHandlers(std::move(configMaps));
}

Status RootCaPublisher::reconcile(const std::string& key) {
    kube::ObjectPtr ns = m_namespaces->cache().get(key);
    if (!ns || kube::hasDeletionTimestamp(*ns) ||
        kube::stringAt(kube::objectAt(*ns, "status"), "phase") == "Terminating") {
        return {};
    }
    json::object data{{DataKey, m_options.caPem}};
    kube::ObjectPtr current = m_configMaps->cache().get(key + "/" + std::string(ConfigMapName));
    if (!current) {
        json::object configMap{
            {"apiVersion", "v1"},
            {"kind", "ConfigMap"},
            {"metadata",
             json::object{{"name", ConfigMapName},
                          {"annotations", json::object{{DescriptionAnnotation, Description}}}}},
            {"data", data}};
        auto created = m_client.create(kube::resources::ConfigMaps, key, configMap);
        if (!created && !kube::isAlreadyExists(created.error()) && created.error().code != 403) {
            return std::unexpected(created.error().toError());
        }
        return {};
    }
    const json::value* currentData = current->if_contains("data");
    bool dataMatches = currentData && currentData->is_object() && currentData->as_object() == data;
    bool annotated = kube::annotation(*current, DescriptionAnnotation) == Description;
    if (dataMatches && annotated) {
        return {};
    }
    // As upstream: the data is replaced wholesale (extra keys go) and the annotation is set.
    json::object updated = *current;
    updated["data"] = data;
    updated.erase("binaryData");
    json::object& metadata = kube::ensureMetadata(updated);
    json::value& annotations = metadata["annotations"];
    if (!annotations.is_object()) {
        annotations = json::object();
    }
    annotations.as_object()[DescriptionAnnotation] = Description;
    auto written = m_client.update(kube::resources::ConfigMaps, updated);
    if (!written && !kube::isNotFound(written.error())) {
        return std::unexpected(written.error().toError());
    }
    return {};
}

} // namespace pilot::controllers
