#include "engine/server/apiservice.h"

#include "kube/jsonutil.h"

namespace pilot::server {
namespace json = boost::json;

namespace {

Status upsert(apiserver::ResourceService& service, const char* group, const char* version,
              const char* resource, json::object desired, const char* what) {
    auto type = service.types().byResource(group, version, resource);
    if (!type) {
        return {};
    }
    apiserver::ResourceService::Mutator mutate =
        [&desired](const json::object& current) -> apiserver::ApiResult<json::object> {
        json::object updated = current;
        for (const char* field : {"spec", "subsets", "addressType", "endpoints", "ports"}) {
            if (const json::value* v = desired.if_contains(field)) {
                updated[field] = *v;
            }
        }
        if (json::object* meta = kube::ensureObject(updated, "metadata")) {
            (*meta)["labels"] = desired.at("metadata").at("labels");
        }
        return updated;
    };
    auto result = service.guaranteedUpdate(*type, "default", "kubernetes", mutate,
                                           apiserver::WriteOptions{}, /*create=*/true);
    if (!result) {
        return fail(ErrorCode::Internal,
                    std::string("cannot write the ") + what + ": " + result.error().message);
    }
    return {};
}

} // namespace

Status ensureApiService(apiserver::ResourceService& service, const std::string& clusterIp,
                        const std::string& host, uint16_t port) {
    json::object labels{{"component", "apiserver"}, {"provider", "kubernetes"}};
    json::object meta{{"name", "kubernetes"}, {"namespace", "default"}, {"labels", labels}};
    json::object svc{
        {"apiVersion", "v1"},
        {"kind", "Service"},
        {"metadata", meta},
        {"spec",
         {{"type", "ClusterIP"},
          {"clusterIP", clusterIp},
          {"clusterIPs", json::array{json::string(clusterIp)}},
          {"sessionAffinity", "None"},
          {"ports",
           json::array{json::object{
               {"name", "https"}, {"port", 443}, {"protocol", "TCP"}, {"targetPort", port}}}}}}};
    if (auto status = upsert(service, "", "v1", "services", std::move(svc), "kubernetes Service");
        !status) {
        return status;
    }
    std::string address = host == "0.0.0.0" || host == "::" || host.empty() ? "127.0.0.1" : host;
    // As kube-apiserver: the Endpoints carry skip-mirror (the mirroring controller leaves them
    // alone) and the server writes the `kubernetes` EndpointSlice itself.
    json::object endpointsMeta = meta;
    endpointsMeta["labels"] = json::object{{"endpointslice.kubernetes.io/skip-mirror", "true"}};
    json::object endpoints{
        {"apiVersion", "v1"},
        {"kind", "Endpoints"},
        {"metadata", endpointsMeta},
        {"subsets", json::array{json::object{
                        {"addresses", json::array{json::object{{"ip", address}}}},
                        {"ports", json::array{json::object{
                                      {"name", "https"}, {"port", port}, {"protocol", "TCP"}}}}}}}};
    if (auto status =
            upsert(service, "", "v1", "endpoints", std::move(endpoints), "kubernetes Endpoints");
        !status) {
        return status;
    }
    json::object sliceMeta = meta;
    sliceMeta["labels"] = json::object{{"kubernetes.io/service-name", "kubernetes"}};
    json::object slice{
        {"apiVersion", "discovery.k8s.io/v1"},
        {"kind", "EndpointSlice"},
        {"metadata", sliceMeta},
        {"addressType", "IPv4"},
        {"endpoints", json::array{json::object{{"addresses", json::array{json::string(address)}},
                                               {"conditions", json::object{{"ready", true}}}}}},
        {"ports",
         json::array{json::object{{"name", "https"}, {"port", port}, {"protocol", "TCP"}}}}};
    return upsert(service, "discovery.k8s.io", "v1", "endpointslices", std::move(slice),
                  "kubernetes EndpointSlice");
}

} // namespace pilot::server
