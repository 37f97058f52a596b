#include "engine/registry/access/accesscontroller.h"

namespace pilot::registry {

std::string_view actionName(Action action) {
    switch (action) {
    case Action::Login:
        return "login";
    case Action::Catalog:
        return "catalog";
    case Action::Pull:
        return "pull";
    case Action::Push:
        return "push";
    case Action::Delete:
        return "delete";
    }
    return "unknown";
}

} // namespace pilot::registry
