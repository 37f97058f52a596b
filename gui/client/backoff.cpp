#include "gui/client/backoff.h"

#include <QRandomGenerator>

#include <algorithm>

namespace pilot::gui {

int Backoff::next() {
    double base = m_initialMs;
    for (int i = 0; i < m_attempt && base < m_maxMs; ++i) {
        base *= 2;
    }
    base = std::min<double>(base, m_maxMs);
    ++m_attempt;
    double jitter = 0.8 + 0.4 * QRandomGenerator::global()->generateDouble();
    return int(base * jitter);
}

} // namespace pilot::gui
