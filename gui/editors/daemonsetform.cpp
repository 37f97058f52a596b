#include "gui/editors/daemonsetform.h"

#include <QFormLayout>

namespace pilot::gui {

namespace json = boost::json;

DaemonSetForm::DaemonSetForm(ObjectDocument* document, QWidget* parent)
    : WorkloadForm(document, {QStringLiteral("spec"), QStringLiteral("template")}, true, parent) {
    auto* strategy =
        new StrategySection(document, {QStringLiteral("RollingUpdate"), QStringLiteral("OnDelete")},
                            {QStringLiteral("maxUnavailable"), QStringLiteral("maxSurge")}, this);
    strategy->setObjectName(QStringLiteral("updateStrategy"));
    addSection(strategy, {QStringLiteral("spec"), QStringLiteral("updateStrategy")});
    addRow(
        formLayout(), [] { return tr("Update strategy"); }, strategy);
    addCount(
        {QStringLiteral("spec"), QStringLiteral("minReadySeconds")},
        [] { return tr("Min ready (s)"); }, [] { return tr("default (0)"); }, 0,
        QStringLiteral("minReadySeconds"));
    addPodTemplate();
}

json::object DaemonSetForm::newObject(const QString& namespaceName) const {
    return workloadObject(namespaceName, json::object());
}

} // namespace pilot::gui
