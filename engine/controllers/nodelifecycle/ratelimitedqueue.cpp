#include "engine/controllers/nodelifecycle/ratelimitedqueue.h"

#include <algorithm>

namespace pilot::controllers {

namespace {
constexpr double Burst = 1;
} // namespace

RateLimitedQueue::RateLimitedQueue(double qps, TimePoint now) : m_qps(qps), m_last(now) {
    if (m_qps <= 0) {
        m_tokens = 0;
    }
}

bool RateLimitedQueue::add(const std::string& node, TimePoint now) {
    if (std::any_of(m_items.begin(), m_items.end(),
                    [&](const Item& i) { return i.node == node; })) {
        return false;
    }
    m_items.push_back(Item{node, now, m_sequence++});
    sort();
    return true;
}

bool RateLimitedQueue::remove(const std::string& node) {
    return std::erase_if(m_items, [&](const Item& i) { return i.node == node; }) > 0;
}

void RateLimitedQueue::retryAt(const std::string& node, TimePoint at) {
    remove(node);
    m_items.push_back(Item{node, at, m_sequence++});
    sort();
}

void RateLimitedQueue::sort() {
    std::sort(m_items.begin(), m_items.end(), [](const Item& a, const Item& b) {
        return a.processAt != b.processAt ? a.processAt < b.processAt : a.sequence < b.sequence;
    });
}

void RateLimitedQueue::refill(TimePoint now) {
    if (m_qps > 0 && now > m_last) {
        std::chrono::duration<double> elapsed = now - m_last;
        m_tokens = std::min(Burst, m_tokens + elapsed.count() * m_qps);
    }
    m_last = std::max(m_last, now);
}

bool RateLimitedQueue::tryAccept(TimePoint now) {
    if (m_qps <= 0) {
        return false;
    }
    refill(now);
    if (m_tokens < 1) {
        return false;
    }
    m_tokens -= 1;
    return true;
}

void RateLimitedQueue::swapLimiter(double qps, TimePoint now) {
    if (qps == m_qps) {
        return;
    }
    const bool drained = !tryAccept(now);
    m_qps = qps;
    m_last = now;
    // A fresh bucket is full; when the old one was empty, the new one starts empty too.
    m_tokens = qps > 0 && !drained ? Burst : 0;
}

std::vector<std::string> RateLimitedQueue::takeReady(TimePoint now) {
    std::vector<std::string> taken;
    while (!m_items.empty() && m_items.front().processAt <= now && tryAccept(now)) {
        taken.push_back(m_items.front().node);
        m_items.erase(m_items.begin());
    }
    return taken;
}

std::optional<TimePoint> RateLimitedQueue::nextAttempt(TimePoint now) const {
    if (m_items.empty() || m_qps <= 0) {
        return std::nullopt;
    }
    TimePoint due = std::max(m_items.front().processAt, now);
    double missing =
        1 - std::min(Burst, m_tokens + std::chrono::duration<double>(
                                           std::max(now - m_last, TimePoint::duration()))
                                               .count() *
                                           m_qps);
    if (missing > 0) {
        auto wait =
            std::chrono::ceil<TimePoint::duration>(std::chrono::duration<double>(missing / m_qps));
        due = std::max(due, now + wait);
    }
    return due;
}

} // namespace pilot::controllers
