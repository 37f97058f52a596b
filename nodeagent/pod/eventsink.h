#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace pilot::agent {

/// Where pod events go (core/v1 Events from source `kubelet`).
class EventSink {
public:
    virtual ~EventSink() = default;
    /// `type` is `Normal` or `Warning`; `object` is the pod (or node).
    virtual void record(const boost::json::object& object, std::string_view type,
                        std::string_view reason, std::string message) = 0;
};

} // namespace pilot::agent
