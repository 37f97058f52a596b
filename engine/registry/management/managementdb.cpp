#include "engine/registry/management/managementdb.h"

namespace pilot::registry::management {

namespace {

// Times are Unix seconds, as in the storage tables. Projects are named, not joined: the
// projects themselves live with the access layer, and a repository's project is its first
// path component.
constexpr std::string_view Schema = R"sql(
CREATE TABLE IF NOT EXISTS quotas(
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL UNIQUE,
    project_name TEXT NOT NULL UNIQUE,
    owner_name TEXT NOT NULL,
    hard_storage INTEGER NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit_logs(
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    username TEXT NOT NULL,
    resource TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    operation TEXT NOT NULL,
    op_time INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS audit_logs_by_time ON audit_logs(op_time);
CREATE INDEX IF NOT EXISTS audit_logs_by_project ON audit_logs(project, op_time);
CREATE TABLE IF NOT EXISTS artifact_pulls(
    repository TEXT NOT NULL,
    digest TEXT NOT NULL,
    pulled INTEGER NOT NULL,
    PRIMARY KEY(repository, digest)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS retention_policies(
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL UNIQUE,
    project_name TEXT NOT NULL,
    policy TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS retention_executions(
    id INTEGER PRIMARY KEY,
    policy_id INTEGER NOT NULL,
    dry_run INTEGER NOT NULL,
    trigger TEXT NOT NULL,
    status TEXT NOT NULL,
    start_time INTEGER NOT NULL,
    end_time INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS retention_executions_by_policy ON retention_executions(policy_id, id);
CREATE TABLE IF NOT EXISTS retention_tasks(
    id INTEGER PRIMARY KEY,
    execution_id INTEGER NOT NULL,
    repository TEXT NOT NULL,
    status TEXT NOT NULL,
    start_time INTEGER NOT NULL,
    end_time INTEGER NOT NULL,
    total INTEGER NOT NULL,
    retained INTEGER NOT NULL,
    log TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS retention_tasks_by_execution ON retention_tasks(execution_id, id);
CREATE TABLE IF NOT EXISTS gc_history(
    id INTEGER PRIMARY KEY,
    job_kind TEXT NOT NULL,
    parameters TEXT NOT NULL,
    status TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    log TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS management_settings(
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL) WITHOUT ROWID;
)sql";

} // namespace

Status ensureSchema(RegistryDb& db) {
    return db.write([](DbConnection& connection) -> Status { return connection.exec(Schema); });
}

std::string_view projectOf(std::string_view repository) {
    return repository.substr(0, repository.find('/'));
}

std::string_view pathInProject(std::string_view repository) {
    size_t slash = repository.find('/');
    return slash == std::string_view::npos ? repository : repository.substr(slash + 1);
}

ProjectRange projectRange(std::string_view project) {
    return ProjectRange{std::string(project), std::string(project) + "/",
                        std::string(project) + "0"};
}

Result<std::string> readSetting(DbConnection& db, std::string_view name,
                                std::string_view fallback) {
    auto row = db.queryOne("SELECT value FROM management_settings WHERE name = ?", name);
    if (!row) {
        return std::unexpected(row.error());
    }
    return *row ? std::string((*row)->text(0)) : std::string(fallback);
}

Status writeSetting(DbConnection& db, std::string_view name, std::string_view value) {
    return db.execute("INSERT INTO management_settings(name, value) VALUES(?, ?) "
                      "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                      name, value);
}

} // namespace pilot::registry::management
