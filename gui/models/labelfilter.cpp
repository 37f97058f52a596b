#include "gui/models/labelfilter.h"

#include "kube/labelselector.h"

namespace pilot::gui {

Expected<LabelFilter> LabelFilter::parse(const QString& text) {
    LabelFilter filter;
    if (text.trimmed().isEmpty()) {
        return filter;
    }
    auto parsed = kube::LabelSelector::parse(text.toStdString());
    if (!parsed) {
        return failure(QString::fromStdString(parsed.error().message));
    }
    for (const kube::LabelRequirement& requirement : parsed->requirements()) {
        Requirement r;
        r.key = QString::fromStdString(requirement.key);
        for (const std::string& value : requirement.values) {
            r.values << QString::fromStdString(value);
        }
        switch (requirement.op) {
        case kube::LabelOp::Equals:
        case kube::LabelOp::DoubleEquals:
            r.op = Op::Equals;
            break;
        case kube::LabelOp::NotEquals:
            r.op = Op::NotEquals;
            break;
        case kube::LabelOp::In:
            r.op = Op::In;
            break;
        case kube::LabelOp::NotIn:
            r.op = Op::NotIn;
            break;
        case kube::LabelOp::Exists:
            r.op = Op::Exists;
            break;
        case kube::LabelOp::DoesNotExist:
            r.op = Op::DoesNotExist;
            break;
        case kube::LabelOp::Gt:
            r.op = Op::Gt;
            break;
        case kube::LabelOp::Lt:
            r.op = Op::Lt;
            break;
        }
        filter.m_requirements.append(std::move(r));
    }
    return filter;
}

bool LabelFilter::matches(const Labels& labels) const {
    for (const Requirement& r : m_requirements) {
        const QString* value = nullptr;
        for (const auto& [key, v] : labels) {
            if (key == r.key) {
                value = &v;
                break;
            }
        }
        switch (r.op) {
        case Op::Equals:
        case Op::In:
            if (!value || !r.values.contains(*value)) {
                return false;
            }
            break;
        case Op::NotEquals:
        case Op::NotIn:
            // Upstream: objects without the key match != and notin.
            if (value && r.values.contains(*value)) {
                return false;
            }
            break;
        case Op::Exists:
            if (!value) {
                return false;
            }
            break;
        case Op::DoesNotExist:
            if (value) {
                return false;
            }
            break;
        case Op::Gt:
        case Op::Lt: {
            bool okLabel = false;
            bool okBound = false;
            qlonglong have = value ? value->toLongLong(&okLabel) : 0;
            qlonglong bound = r.values.value(0).toLongLong(&okBound);
            if (!okLabel || !okBound || (r.op == Op::Gt ? have <= bound : have >= bound)) {
                return false;
            }
            break;
        }
        }
    }
    return true;
}

} // namespace pilot::gui
