#include "engine/scheduler/taints.h"

#include "kube/jsonutil.h"

namespace pilot::scheduler {

namespace json = boost::json;

bool Toleration::tolerates(const Taint& taint) const {
    if (!effect.empty() && effect != taint.effect) {
        return false;
    }
    if (!key.empty() && key != taint.key) {
        return false;
    }
    if (op.empty() || op == "Equal") {
        return value == taint.value;
    }
    return op == "Exists";
}

std::vector<Taint> taintsOf(const json::array* taints) {
    std::vector<Taint> out;
    if (taints == nullptr) {
        return out;
    }
    out.reserve(taints->size());
    for (const json::value& t : *taints) {
        if (const json::object* o = t.if_object()) {
            out.push_back(Taint{kube::stringAt(*o, "key"), kube::stringAt(*o, "value"),
                                kube::stringAt(*o, "effect")});
        }
    }
    return out;
}

std::vector<Toleration> tolerationsOf(const json::array* tolerations) {
    std::vector<Toleration> out;
    if (tolerations == nullptr) {
        return out;
    }
    out.reserve(tolerations->size());
    for (const json::value& t : *tolerations) {
        if (const json::object* o = t.if_object()) {
            out.push_back(Toleration{kube::stringAt(*o, "key"), kube::stringAt(*o, "operator"),
                                     kube::stringAt(*o, "value"), kube::stringAt(*o, "effect")});
        }
    }
    return out;
}

bool tolerated(const std::vector<Toleration>& tolerations, const Taint& taint) {
    for (const Toleration& t : tolerations) {
        if (t.tolerates(taint)) {
            return true;
        }
    }
    return false;
}

const Taint* firstUntoleratedTaint(const std::vector<Taint>& taints,
                                   const std::vector<Toleration>& tolerations) {
    for (const Taint& taint : taints) {
        if (taint.effect != "NoSchedule" && taint.effect != "NoExecute") {
            continue;
        }
        if (!tolerated(tolerations, taint)) {
            return &taint;
        }
    }
    return nullptr;
}

int countIntolerablePreferNoSchedule(const std::vector<Taint>& taints,
                                     const std::vector<Toleration>& tolerations) {
    int count = 0;
    for (const Taint& taint : taints) {
        if (taint.effect != "PreferNoSchedule") {
            continue;
        }
        bool ok = false;
        for (const Toleration& t : tolerations) {
            if ((t.effect.empty() || t.effect == "PreferNoSchedule") && t.tolerates(taint)) {
                ok = true;
                break;
            }
        }
        if (!ok) {
            ++count;
        }
    }
    return count;
}

} // namespace pilot::scheduler
