#pragma once

#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <string>
#include <vector>

namespace pilot::controllers {

/// Upstream's serviceaccount-controller: every active namespace has the ServiceAccounts named in
/// `serviceAccounts` (`default`), created when the namespace appears and re-created when one is
/// deleted. Namespaces being terminated are left alone. Keys are namespace names.
class ServiceAccountController : public QueueController {
public:
    explicit ServiceAccountController(kube::ApiClient& client,
                                      std::vector<std::string> serviceAccounts = {"default"});
    ~ServiceAccountController() override;

    void setUp(SharedInformers& informers) override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    kube::ApiClient& m_client;
    std::vector<std::string> m_serviceAccounts;
    kube::Informer* m_namespaces = nullptr;
    kube::Informer* m_accounts = nullptr;
};

} // namespace pilot::controllers
