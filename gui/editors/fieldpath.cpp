#include "gui/editors/fieldpath.h"

namespace pilot::gui {

namespace json = boost::json;

FieldPath FieldPath::parse(const QString& text) {
    FieldPath path;
    QString name;
    qsizetype i = 0;
    if (text.startsWith(QLatin1Char('.'))) {
        i = 1;
    }
    auto flush = [&] {
        if (!name.isEmpty()) {
            path.m_steps.append(name);
            name.clear();
        }
    };
    while (i < text.size()) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('.')) {
            flush();
            ++i;
            continue;
        }
        if (c == QLatin1Char('[')) {
            const qsizetype close = text.indexOf(QLatin1Char(']'), i + 1);
            if (close < 0) {
                name += text.mid(i);
                break;
            }
            flush();
            const QString inner = text.mid(i + 1, close - i - 1);
            bool isIndex = false;
            const int index = inner.toInt(&isIndex);
            if (isIndex && index >= 0) {
                path.m_steps.append(index);
            } else {
                path.m_steps.append(inner);
            }
            i = close + 1;
            continue;
        }
        name += c;
        ++i;
    }
    flush();
    return path;
}

QString FieldPath::toString() const {
    QString out;
    for (const Step& step : m_steps) {
        if (const int* index = std::get_if<int>(&step)) {
            out += QLatin1Char('[') + QString::number(*index) + QLatin1Char(']');
            continue;
        }
        const QString& name = std::get<QString>(step);
        if (name.contains(QLatin1Char('.')) || name.contains(QLatin1Char('/')) || name.isEmpty()) {
            out += QLatin1Char('[') + name + QLatin1Char(']');
            continue;
        }
        if (!out.isEmpty()) {
            out += QLatin1Char('.');
        }
        out += name;
    }
    return out;
}

FieldPath FieldPath::parent() const {
    FieldPath p = *this;
    if (!p.m_steps.isEmpty()) {
        p.m_steps.removeLast();
    }
    return p;
}

FieldPath FieldPath::operator/(const Step& step) const {
    FieldPath p = *this;
    p.m_steps.append(step);
    return p;
}

FieldPath FieldPath::operator/(const FieldPath& other) const {
    FieldPath p = *this;
    p.m_steps.append(other.m_steps);
    return p;
}

namespace {

const json::value* child(const json::value& node, const FieldPath::Step& step) {
    if (const int* index = std::get_if<int>(&step)) {
        if (const json::array* arr = node.if_array()) {
            return *index < static_cast<int>(arr->size()) ? &(*arr)[static_cast<size_t>(*index)]
                                                          : nullptr;
        }
        if (const json::object* obj = node.if_object()) {
            return obj->if_contains(std::to_string(*index));
        }
        return nullptr;
    }
    if (const json::object* obj = node.if_object()) {
        return obj->if_contains(toStdString(std::get<QString>(step)));
    }
    return nullptr;
}

} // namespace

const json::value* FieldPath::find(const json::value& root) const {
    const json::value* node = &root;
    for (const Step& step : m_steps) {
        node = child(*node, step);
        if (node == nullptr) {
            return nullptr;
        }
    }
    return node;
}

const json::value* FieldPath::find(const json::object& root) const {
    if (m_steps.isEmpty()) {
        return nullptr;
    }
    const json::value* node =
        root.if_contains(toStdString(std::holds_alternative<QString>(m_steps.first())
                                         ? std::get<QString>(m_steps.first())
                                         : QString::number(std::get<int>(m_steps.first()))));
    for (qsizetype i = 1; node != nullptr && i < m_steps.size(); ++i) {
        node = child(*node, m_steps.at(i));
    }
    return node;
}

json::value* FieldPath::ensure(json::object& root) const {
    if (m_steps.isEmpty()) {
        return nullptr;
    }
    // Check first so that a failure leaves the object unchanged.
    {
        const json::value* node = nullptr;
        bool first = true;
        for (const Step& step : m_steps) {
            const json::value* next = nullptr;
            if (first) {
                if (!std::holds_alternative<QString>(step)) {
                    return nullptr;
                }
                next = root.if_contains(toStdString(std::get<QString>(step)));
                first = false;
            } else if (node == nullptr || node->is_null()) {
                if (std::holds_alternative<int>(step) && std::get<int>(step) != 0) {
                    return nullptr; // a missing array can only be started at index 0
                }
                next = nullptr;
            } else if (const int* index = std::get_if<int>(&step)) {
                const json::array* arr = node->if_array();
                if (arr == nullptr || *index > static_cast<int>(arr->size())) {
                    return nullptr;
                }
                next = *index < static_cast<int>(arr->size()) ? &(*arr)[size_t(*index)] : nullptr;
            } else {
                const json::object* obj = node->if_object();
                if (obj == nullptr) {
                    return nullptr;
                }
                next = obj->if_contains(toStdString(std::get<QString>(step)));
            }
            node = next;
        }
    }
    json::value* node = nullptr;
    bool first = true;
    for (const Step& step : m_steps) {
        if (first) {
            node = &root[toStdString(std::get<QString>(step))];
            first = false;
            continue;
        }
        if (const int* index = std::get_if<int>(&step)) {
            if (node->is_null()) {
                *node = json::array();
            }
            json::array& arr = node->as_array();
            if (*index == static_cast<int>(arr.size())) {
                arr.emplace_back(nullptr);
            }
            node = &arr[static_cast<size_t>(*index)];
            continue;
        }
        if (node->is_null()) {
            *node = json::object();
        }
        node = &node->as_object()[toStdString(std::get<QString>(step))];
    }
    return node;
}

bool FieldPath::remove(json::object& root, qsizetype keep) const {
    if (m_steps.isEmpty()) {
        return false;
    }
    // Walk to the parent, remembering each container so that emptied ones can be pruned.
    QList<json::value*> chain;
    json::value* node = nullptr;
    for (qsizetype i = 0; i + 1 < m_steps.size(); ++i) {
        const Step& step = m_steps.at(i);
        if (i == 0) {
            if (!std::holds_alternative<QString>(step)) {
                return false;
            }
            node = root.if_contains(toStdString(std::get<QString>(step)));
        } else {
            node = const_cast<json::value*>(child(*node, step));
        }
        if (node == nullptr) {
            return false;
        }
        chain.append(node);
    }
    const Step& last = m_steps.last();
    bool removed = false;
    if (m_steps.size() == 1) {
        removed = std::holds_alternative<QString>(last) &&
                  root.erase(toStdString(std::get<QString>(last))) > 0;
    } else if (const int* index = std::get_if<int>(&last); index && node->is_array()) {
        json::array& arr = node->as_array();
        if (*index < static_cast<int>(arr.size())) {
            arr.erase(arr.begin() + *index);
            removed = true;
        }
    } else if (json::object* obj = node->if_object()) {
        const std::string key = std::holds_alternative<QString>(last)
                                    ? toStdString(std::get<QString>(last))
                                    : std::to_string(std::get<int>(last));
        removed = obj->erase(key) > 0;
    }
    if (!removed) {
        return false;
    }
    // Prune objects (not arrays: an empty list may mean something) that became empty.
    for (qsizetype i = chain.size() - 1; i >= keep && i >= 0; --i) {
        json::value* container = chain.at(i);
        if (!container->is_object() || !container->as_object().empty()) {
            break;
        }
        FieldPath up;
        up.m_steps = m_steps.mid(0, i + 1);
        if (i == 0) {
            root.erase(toStdString(std::get<QString>(up.m_steps.first())));
            break;
        }
        json::value* holder = chain.at(i - 1);
        if (json::object* obj = holder->if_object();
            obj && std::holds_alternative<QString>(up.m_steps.last())) {
            obj->erase(toStdString(std::get<QString>(up.m_steps.last())));
            continue;
        }
        break;
    }
    return true;
}

QString fieldString(const json::object& root, const FieldPath& path, const QString& fallback) {
    const json::value* v = path.find(root);
    if (v == nullptr || !v->is_string()) {
        return fallback;
    }
    return toQString(v->get_string());
}

QString toQString(std::string_view text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

std::string toStdString(const QString& text) {
    return text.toStdString();
}

} // namespace pilot::gui
