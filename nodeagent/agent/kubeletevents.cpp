#include "nodeagent/agent/kubeletevents.h"

#include "engine/controllers/common/eventrecorder.h"

namespace pilot::agent {

KubeletEvents::KubeletEvents(kube::ApiClient& client, std::string nodeName)
    : m_recorder(std::make_unique<controllers::EventRecorder>(client, "kubelet")) {
    (void)nodeName;
}

KubeletEvents::~KubeletEvents() {
    stop();
}

void KubeletEvents::record(const boost::json::object& object, std::string_view type,
                           std::string_view reason, std::string message) {
    m_recorder->record(object, type, reason, std::move(message));
}

void KubeletEvents::stop() {
    m_recorder->stop();
}

} // namespace pilot::agent
