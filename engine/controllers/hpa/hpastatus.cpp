#include "engine/controllers/hpa/hpastatus.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>

namespace pilot::controllers::hpa {
namespace json = boost::json;

void setCondition(json::object& status, std::string_view type, std::string_view conditionStatus,
                  std::string_view reason, std::string_view message, TimePoint now) {
    json::value& list = status["conditions"];
    if (!list.is_array()) {
        list = json::array();
    }
    json::object* existing = nullptr;
    for (json::value& c : list.as_array()) {
        if (json::object* o = c.if_object(); o && kube::stringAt(*o, "type") == type) {
            existing = o;
            break;
        }
    }
    if (existing == nullptr) {
        list.as_array().emplace_back(json::object{{"type", type}});
        existing = &list.as_array().back().as_object();
    }
    if (kube::stringAt(*existing, "status") != conditionStatus) {
        (*existing)["lastTransitionTime"] = formatTime(now);
    }
    (*existing)["status"] = conditionStatus;
    (*existing)["reason"] = reason;
    (*existing)["message"] = message;
}

} // namespace pilot::controllers::hpa
