#pragma once

#include "kube/client/apiclient.h"
#include "nodeagent/pod/eventsink.h"

#include <memory>
#include <string>

namespace pilot::controllers {
class EventRecorder;
}

namespace pilot::agent {

/// Events from source `kubelet` (the engine's EventRecorder: one writer thread, repeats counted
/// instead of duplicated).
class KubeletEvents final : public EventSink {
public:
    KubeletEvents(kube::ApiClient& client, std::string nodeName);
    ~KubeletEvents() override;

    void record(const boost::json::object& object, std::string_view type, std::string_view reason,
                std::string message) override;
    void stop();

private:
    std::unique_ptr<controllers::EventRecorder> m_recorder;
};

} // namespace pilot::agent
