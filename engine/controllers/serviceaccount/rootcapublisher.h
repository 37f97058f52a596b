#pragma once

#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <string>
#include <string_view>

namespace pilot::controllers {

/// Upstream's root-ca-cert-publisher: every active namespace has the ConfigMap `kube-root-ca.crt`
/// whose `ca.crt` is the cluster CA (PEM) and whose `kubernetes.io/description` annotation says
/// what it is for. A deleted or edited copy is put back. Keys are namespace names.
class RootCaPublisher : public QueueController {
public:
    static constexpr std::string_view ConfigMapName = "kube-root-ca.crt";
    static constexpr std::string_view DataKey = "ca.crt";
    static constexpr std::string_view DescriptionAnnotation = "kubernetes.io/description";
    static constexpr std::string_view Description =
        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
        "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
        "guaranteed across distributions of Kubernetes clusters.";

    struct Options {
        /// The CA certificate(s), PEM, published as `ca.crt`.
        std::string caPem;
    };

    RootCaPublisher(kube::ApiClient& client, Options options);
    ~RootCaPublisher() override;

    void setUp(SharedInformers& informers) override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    kube::ApiClient& m_client;
    Options m_options;
    kube::Informer* m_namespaces = nullptr;
    kube::Informer* m_configMaps = nullptr;
};

} // namespace pilot::controllers
