#include "engine/controllers/serviceaccount/serviceaccountcontroller.h"

#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

#include <algorithm>

namespace pilot::controllers {
namespace json = boost::json;

ServiceAccountController::ServiceAccountController(kube::ApiClient& client,
                                                   std::vector<std::string> serviceAccounts)
    : QueueController("serviceaccount-controller", 1), m_client(client),
      m_serviceAccounts(std::move(serviceAccounts)) {}

ServiceAccountController::~ServiceAccountController() {
    stop();
}

void ServiceAccountController::setUp(SharedInformers& informers) {
    m_namespaces = &informers.forResource(kube::resources::Namespaces);
    m_accounts = &informers.forResource(kube::resources::ServiceAccounts);
    kube::InformerHandlers namespaces;
    namespaces.onAdd = [this](const kube::ObjectPtr& ns) { enqueue(std::string(kube::name(*ns))); };
    namespaces.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& ns) {
        enqueue(std::string(kube::name(*ns)));
    };
    m_namespaces->addHandlers(std::move(namespaces));
    kube::InformerHandlers accounts;
    accounts.onDelete = [this](const kube::ObjectPtr& account) {
        if (std::ranges::find(m_serviceAccounts, kube::name(*account)) != m_serviceAccounts.end()) {
            enqueue(std::string(kube::namespaceOf(*account)));
        }
    };
    m_accounts->addHandlers(std::move(accounts));
}

Status ServiceAccountController::reconcile(const std::string& key) {
    kube::ObjectPtr ns = m_namespaces->cache().get(key);
    if (!ns || kube::hasDeletionTimestamp(*ns) ||
        kube::stringAt(kube::objectAt(*ns, "status"), "phase") == "Terminating") {
        return {};
    }
    for (const std::string& name : m_serviceAccounts) {
        if (m_accounts->cache().get(key + "/" + name)) {
            continue;
        }
        json::object account{{"apiVersion", "v1"},
                             {"kind", "ServiceAccount"},
                             {"metadata", json::object{{"name", name}}}};
        auto created = m_client.create(kube::resources::ServiceAccounts, key, account);
        // A namespace already terminating refuses creates (Forbidden); it needs nothing more.
        if (!created && !kube::isAlreadyExists(created.error()) && created.error().code != 403) {
            return std::unexpected(created.error().toError());
        }
    }
    return {};
}

} // namespace pilot::controllers
