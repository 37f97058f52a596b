#include "gui/integration/consolehooks.h"

#include "gui/integration/createobjectdialog.h"
#include "gui/integration/editortab.h"
#include "gui/integration/rollouttab.h"
#include "gui/views/detailview.h"
#include "gui/views/logview.h"
#include "gui/views/resourcelistview.h"

namespace pilot::gui {

void installConsoleHooks() {
    ResourceListView::setCreateFlow(&CreateObjectDialog::launch);
    DetailView::setYamlViewFactory(
        [](ClusterSession* session, const ObjectRef& ref, QWidget* parent) -> QWidget* {
            return new EditorTab(session, ref, parent);
        });
    static bool tabsAdded = false;
    if (tabsAdded) {
        return;
    }
    tabsAdded = true;
    DetailView::addTabFactory(
        {&RolloutTab::appliesTo, [] { return RolloutTab::tr("Rollout"); },
         [](ClusterSession* session, const ObjectRef& ref, QWidget* parent) -> QWidget* {
             return new RolloutTab(session, ref, parent);
         }});
    DetailView::addTabFactory(
        {[](const ResourceType& type) { return type == ResourceType::pods(); },
         [] { return LogView::tr("Logs"); },
         [](ClusterSession* session, const ObjectRef& ref, QWidget* parent) -> QWidget* {
             return new LogView(session, ref.namespaceName, ref.name, parent);
         }});
}

} // namespace pilot::gui
