#include "engine/controllers/framework/sharedinformers.h"

namespace pilot::controllers {

SharedInformers::SharedInformers(kube::ApiClient& client) : m_client(client) {}

SharedInformers::~SharedInformers() {
    stop();
}

std::string SharedInformers::keyOf(const kube::ApiResource& resource, bool metadataOnly,
                                   const std::string& fieldSelector) {
    std::string key = (metadataOnly ? "metadata:" : "") + resource.group + "/" + resource.version +
                      "/" + resource.resource;
    if (!fieldSelector.empty()) {
        key += "?" + fieldSelector;
    }
    return key;
}

kube::Informer& SharedInformers::informerFor(const kube::ApiResource& resource, bool metadataOnly,
                                             const std::string& fieldSelector) {
    std::lock_guard lock(m_mutex);
    auto& slot = m_informers[keyOf(resource, metadataOnly, fieldSelector)];
    if (!slot) {
        kube::InformerOptions options;
        options.resource = resource;
        options.metadataOnly = metadataOnly;
        options.fieldSelector = fieldSelector;
        slot = std::make_unique<kube::Informer>(m_client, std::move(options));
        if (m_started) {
            slot->start();
        }
    }
    return *slot;
}

void SharedInformers::addIndexTo(const kube::ApiResource& resource, bool metadataOnly,
                                 const std::string& name, kube::IndexFunc function) {
    kube::Informer& informer = informerFor(resource, metadataOnly);
    std::lock_guard lock(m_mutex);
    if (m_indexes[keyOf(resource, metadataOnly)].insert(name).second) {
        informer.addIndex(name, std::move(function));
    }
}

kube::Informer& SharedInformers::forResource(const kube::ApiResource& resource) {
    return informerFor(resource, false);
}

void SharedInformers::addIndex(const kube::ApiResource& resource, const std::string& name,
                               kube::IndexFunc function) {
    addIndexTo(resource, false, name, std::move(function));
}

bool SharedInformers::metadataOnlyFor(const kube::ApiResource& resource) const {
    std::lock_guard lock(m_mutex);
    // Once a metadata informer exists it stays the one metadata readers share.
    return m_informers.contains(keyOf(resource, true)) ||
           !m_informers.contains(keyOf(resource, false));
}

kube::Informer& SharedInformers::forName(const kube::ApiResource& resource,
                                         const std::string& name) {
    return informerFor(resource, false, "metadata.name=" + name);
}

kube::Informer& SharedInformers::forMetadata(const kube::ApiResource& resource) {
    return informerFor(resource, metadataOnlyFor(resource));
}

void SharedInformers::addMetadataIndex(const kube::ApiResource& resource, const std::string& name,
                                       kube::IndexFunc function) {
    addIndexTo(resource, metadataOnlyFor(resource), name, std::move(function));
}

void SharedInformers::start() {
    std::lock_guard lock(m_mutex);
    m_started = true;
    for (auto& [key, informer] : m_informers) {
        informer->start();
    }
}

bool SharedInformers::waitForSync(std::chrono::steady_clock::time_point deadline) const {
    std::vector<kube::Informer*> informers;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [key, informer] : m_informers) {
            informers.push_back(informer.get());
        }
    }
    for (kube::Informer* informer : informers) {
        if (!informer->waitForSync(deadline)) {
            return false;
        }
    }
    return true;
}

void SharedInformers::stop() {
    std::lock_guard lock(m_mutex);
    if (!m_started) {
        return;
    }
    m_started = false;
    for (auto& [key, informer] : m_informers) {
        informer->stop();
    }
}

} // namespace pilot::controllers
