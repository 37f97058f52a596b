#include "engine/registry/management/auditlog.h"

#include <fmt/format.h>

#include <string_view>
#include <utility>
#include <variant>

namespace pilot::registry::management {

namespace {

/// Parameters of a dynamically built WHERE clause, bound in order.
struct Bindings {
    std::vector<std::string> texts;
    std::vector<std::variant<int64_t, size_t>> order; // int value, or index into texts

    void text(std::string value) {
        order.emplace_back(texts.size());
        texts.push_back(std::move(value));
    }
    void integer(int64_t value) { order.emplace_back(value); }
    void bindTo(Query& query) const {
        for (const auto& item : order) {
            if (const int64_t* value = std::get_if<int64_t>(&item)) {
                query.bind(*value);
            } else {
                query.bind(std::string_view(texts[std::get<size_t>(item)]));
            }
        }
    }
};

/// `value` as a LIKE pattern matching it anywhere (with `\` escaping).
std::string containsPattern(std::string_view value) {
    std::string out = "%";
    for (char c : value) {
        if (c == '%' || c == '_' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "%";
}

std::string whereClause(const AuditQuery& query, Bindings& bindings) {
    std::vector<std::string> conditions;
    if (query.project) {
        conditions.emplace_back("project = ?");
        bindings.text(*query.project);
    }
    auto textCondition = [&](std::string_view column, const std::optional<std::string>& value,
                             bool fuzzy) {
        if (!value) {
            return;
        }
        if (fuzzy) {
            conditions.push_back(fmt::format("{} LIKE ? ESCAPE '\\'", column));
            bindings.text(containsPattern(*value));
        } else {
            conditions.push_back(fmt::format("{} = ?", column));
            bindings.text(*value);
        }
    };
    textCondition("username", query.username, query.usernameFuzzy);
    textCondition("resource", query.resource, query.resourceFuzzy);
    textCondition("resource_type", query.resourceType, false);
    if (!query.operations.empty()) {
        std::string list;
        for (const std::string& operation : query.operations) {
            list += list.empty() ? "?" : ", ?";
            bindings.text(operation);
        }
        conditions.push_back(fmt::format("operation IN ({})", list));
    }
    if (query.from) {
        conditions.emplace_back("op_time >= ?");
        bindings.integer(*query.from);
    }
    if (query.to) {
        conditions.emplace_back("op_time <= ?");
        bindings.integer(*query.to);
    }
    if (conditions.empty()) {
        return {};
    }
    std::string out = " WHERE ";
    for (size_t i = 0; i < conditions.size(); ++i) {
        out += (i ? " AND " : "") + conditions[i];
    }
    return out;
}

} // namespace

std::string auditUsername(const Identity& who) {
    return who.anonymous() ? std::string("anonymous") : who.name;
}

void AuditLog::record(AuditEntry entry) {
    if (entry.opTime == 0) {
        entry.opTime = unixSeconds(m_clock.now());
    }
    std::lock_guard lock(m_mutex);
    m_pending.push_back(std::move(entry));
}

Status AuditLog::flush() {
    std::vector<AuditEntry> batch;
    {
        std::lock_guard lock(m_mutex);
        batch.swap(m_pending);
    }
    if (batch.empty()) {
        return {};
    }
    // Relaxed: an audit entry lost to a power cut is not worth a sync per batch.
    Status written = m_db.writeRelaxed([&](DbConnection& db) -> Status {
        for (const AuditEntry& entry : batch) {
            auto insert = db.query("INSERT INTO audit_logs(project, username, resource, "
                                   "resource_type, operation, op_time) VALUES(?, ?, ?, ?, ?, ?)");
            if (!insert) {
                return std::unexpected(insert.error());
            }
            insert->bind(entry.project)
                .bind(entry.username)
                .bind(entry.resource)
                .bind(entry.resourceType)
                .bind(entry.operation)
                .bind(entry.opTime);
            if (auto ok = insert->run(); !ok) {
                return ok;
            }
        }
        return {};
    });
    if (!written) {
        // Keep them for the next attempt, ahead of newer ones.
        std::lock_guard lock(m_mutex);
        batch.insert(batch.end(), std::make_move_iterator(m_pending.begin()),
                     std::make_move_iterator(m_pending.end()));
        m_pending.swap(batch);
    }
    return written;
}

Result<AuditPage> AuditLog::query(const AuditQuery& query) {
    if (auto ok = flush(); !ok) {
        return std::unexpected(ok.error());
    }
    Bindings bindings;
    std::string where = whereClause(query, bindings);
    return m_db.read([&](DbConnection& db) -> Result<AuditPage> {
        AuditPage page;
        auto count = db.query(fmt::format("SELECT COUNT(*) FROM audit_logs{}", where));
        if (!count) {
            return std::unexpected(count.error());
        }
        bindings.bindTo(*count);
        if (auto row = count->next(); !row) {
            return std::unexpected(row.error());
        }
        page.total = count->integer(0);
        std::string_view order = query.oldestFirst ? "op_time, id" : "op_time DESC, id DESC";
        auto select = db.query(fmt::format("SELECT id, project, username, resource, "
                                           "resource_type, operation, op_time FROM audit_logs{} "
                                           "ORDER BY {} LIMIT ? OFFSET ?",
                                           where, order));
        if (!select) {
            return std::unexpected(select.error());
        }
        bindings.bindTo(*select);
        select->bind(query.limit).bind(query.offset);
        for (;;) {
            auto row = select->next();
            if (!row) {
                return std::unexpected(row.error());
            }
            if (!*row) {
                return page;
            }
            page.items.push_back(AuditEntry{
                select->integer(0), std::string(select->text(1)), std::string(select->text(2)),
                std::string(select->text(3)), std::string(select->text(4)),
                std::string(select->text(5)), select->integer(6)});
        }
    });
}

Result<int64_t> AuditLog::purge(TimePoint cutoff) {
    if (auto ok = flush(); !ok) {
        return std::unexpected(ok.error());
    }
    int64_t before = unixSeconds(cutoff);
    return m_db.write([&](DbConnection& db) -> Result<int64_t> {
        auto query = db.query("DELETE FROM audit_logs WHERE op_time < ?");
        if (!query) {
            return std::unexpected(query.error());
        }
        if (auto ok = query->bind(before).run(); !ok) {
            return std::unexpected(ok.error());
        }
        return db.changes();
    });
}

} // namespace pilot::registry::management
