#include "kube/client/backoff.h"

#include <algorithm>

namespace pilot::kube {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, double jitter)
    : m_initial(initial), m_max(std::max(max, initial)), m_current(initial),
      m_jitter(std::clamp(jitter, 0.0, 1.0)), m_random(std::random_device{}()) {}

std::chrono::milliseconds Backoff::next() {
    std::uniform_real_distribution<double> factor(1.0 - m_jitter, 1.0 + m_jitter);
    auto delay = std::chrono::milliseconds(
        static_cast<int64_t>(static_cast<double>(m_current.count()) * factor(m_random)));
    m_current = std::min(m_current * 2, m_max);
    return std::min(delay, m_max);
}

} // namespace pilot::kube
