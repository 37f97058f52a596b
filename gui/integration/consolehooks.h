#pragma once

namespace pilot::gui {

/// Plugs the editors, the rollout history and the logs into the console's views through their
/// hooks: "Create…" on every list opens a CreateObjectDialog; a detail's YAML tab is an
/// EditorTab; Deployments, StatefulSets and DaemonSets get a Rollout tab, pods a Logs tab.
/// Idempotent; GUI thread; call before the first list or detail is built (MainWindow does).
void installConsoleHooks();

} // namespace pilot::gui
