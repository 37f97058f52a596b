#include "engine/registry/management/registrymanagement.h"

#include "engine/registry/management/managementdb.h"
#include "engine/registry/storage/registrystorage.h"

#include "core/log.h"
#include "core/threadname.h"

#include <cstdlib>
#include <string>

namespace pilot::registry::management {

namespace {

constexpr auto LoopInterval = std::chrono::seconds(1);
constexpr auto PurgeInterval = std::chrono::hours(1);

} // namespace

ManagementOptions ManagementOptions::fromEnvironment() {
    ManagementOptions options;
    if (const char* window = std::getenv("PILOT_REGISTRY_GC_TIME_WINDOW")) {
        char* end = nullptr;
        long long seconds = std::strtoll(window, &end, 10);
        if (end != window && *end == '\0' && seconds >= 0) {
            options.gcTimeWindow = std::chrono::seconds(seconds);
            log::warn("registry",
                      "garbage collection time window set to {}s by "
                      "PILOT_REGISTRY_GC_TIME_WINDOW",
                      seconds);
        }
    }
    return options;
}

RegistryManagement::RegistryManagement(RegistryStorage& storage, ManagementOptions options,
                                       const Clock& clock)
    : m_options(options), m_clock(clock), m_quotas(storage.db(), clock),
      m_audit(storage.db(), clock), m_artifacts(storage.db(), clock),
      m_hooks(m_quotas, m_audit, m_artifacts),
      m_gc(storage, m_artifacts, m_runner, clock, options.gcTimeWindow),
      m_retention(storage, m_artifacts, m_audit, m_runner, clock), m_lastTick(clock.now()),
      m_lastPurge() {}

Result<std::unique_ptr<RegistryManagement>>
RegistryManagement::open(RegistryStorage& storage, ManagementOptions options, const Clock* clock) {
    if (auto ok = ensureSchema(storage.db()); !ok) {
        return std::unexpected(ok.error());
    }
    std::unique_ptr<RegistryManagement> management(
        new RegistryManagement(storage, options, clock != nullptr ? *clock : storage.clock()));
    if (auto ok = management->m_gc.recoverInterrupted(); !ok) {
        return std::unexpected(ok.error());
    }
    if (auto ok = management->m_retention.recoverInterrupted(); !ok) {
        return std::unexpected(ok.error());
    }
    if (options.background) {
        management->m_loop = std::thread([raw = management.get()] { raw->loop(); });
    }
    return management;
}

RegistryManagement::~RegistryManagement() {
    {
        std::lock_guard lock(m_loopMutex);
        m_stopping = true;
    }
    m_loopWake.notify_all();
    if (m_loop.joinable()) {
        m_loop.join();
    }
    m_runner.stop(); // before the parts its jobs use go
    (void)m_audit.flush();
    (void)m_artifacts.flush();
}

void RegistryManagement::tick(TimePoint now) {
    std::lock_guard lock(m_tickMutex);
    if (auto ok = m_audit.flush(); !ok) {
        log::warn("registry", "writing audit log entries: {}", ok.error().message);
    }
    if (auto ok = m_artifacts.flush(); !ok) {
        log::warn("registry", "writing pull times: {}", ok.error().message);
    }
    if (now > m_lastTick) {
        m_gc.runIfDue(m_lastTick, now);
        m_retention.runIfDue(m_lastTick, now);
        m_lastTick = now;
    }
    if (now - m_lastPurge >= PurgeInterval) {
        m_lastPurge = now;
        auto purged = m_audit.purge(now - m_options.auditRetention);
        if (!purged) {
            log::warn("registry", "purging old audit log entries: {}", purged.error().message);
        } else if (*purged > 0) {
            log::info("registry", "purged {} audit log entries older than {} days", *purged,
                      m_options.auditRetention.count() / 86400);
        }
    }
}

void RegistryManagement::loop() {
    setThreadName("registry-mgmt");
    std::unique_lock lock(m_loopMutex);
    while (!m_loopWake.wait_for(lock, LoopInterval, [this] { return m_stopping; })) {
        lock.unlock();
        tick(m_clock.now());
        lock.lock();
    }
}

} // namespace pilot::registry::management
