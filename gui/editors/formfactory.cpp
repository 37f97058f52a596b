#include "gui/editors/formfactory.h"

#include "gui/editors/configmapform.h"
#include "gui/editors/cronjobform.h"
#include "gui/editors/daemonsetform.h"
#include "gui/editors/deploymentform.h"
#include "gui/editors/horizontalpodautoscalerform.h"
#include "gui/editors/ingressform.h"
#include "gui/editors/jobform.h"
#include "gui/editors/persistentvolumeclaimform.h"
#include "gui/editors/secretform.h"
#include "gui/editors/serviceform.h"
#include "gui/editors/statefulsetform.h"

#include <functional>

namespace pilot::gui {

namespace {

struct FormEntry {
    const char* kind;
    std::function<KindForm*(ObjectDocument*, QWidget*)> make;
};

template <typename Form>
FormEntry entry(const char* kind) {
    return {kind, [](ObjectDocument* d, QWidget* p) -> KindForm* { return new Form(d, p); }};
}

const QList<FormEntry>& forms() {
    static const QList<FormEntry> all{
        entry<DeploymentForm>("Deployment"),
        entry<StatefulSetForm>("StatefulSet"),
        entry<DaemonSetForm>("DaemonSet"),
        entry<JobForm>("Job"),
        entry<CronJobForm>("CronJob"),
        entry<ServiceForm>("Service"),
        entry<IngressForm>("Ingress"),
        entry<ConfigMapForm>("ConfigMap"),
        entry<SecretForm>("Secret"),
        entry<PersistentVolumeClaimForm>("PersistentVolumeClaim"),
        entry<HorizontalPodAutoscalerForm>("HorizontalPodAutoscaler"),
    };
    return all;
}

} // namespace

QStringList formKinds() {
    QStringList kinds;
    for (const FormEntry& e : forms()) {
        kinds.append(QString::fromLatin1(e.kind));
    }
    return kinds;
}

KindForm* createKindForm(const QString& kind, ObjectDocument* document, QWidget* parent) {
    for (const FormEntry& e : forms()) {
        if (kind == QLatin1String(e.kind)) {
            return e.make(document, parent);
        }
    }
    return nullptr;
}

} // namespace pilot::gui
