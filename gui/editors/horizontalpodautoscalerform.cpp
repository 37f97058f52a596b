#include "gui/editors/horizontalpodautoscalerform.h"

#include "gui/editors/objectdocument.h"

#include <boost/json/array.hpp>

#include <QComboBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSpinBox>

namespace pilot::gui {

namespace json = boost::json;

namespace {

const FieldPath Metrics{QStringLiteral("spec"), QStringLiteral("metrics")};

/// Index of the Resource metric for `resource`, or -1.
int metricIndex(const json::value* metrics, const QString& resource) {
    if (metrics == nullptr || !metrics->is_array()) {
        return -1;
    }
    const json::array& list = metrics->as_array();
    for (size_t i = 0; i < list.size(); ++i) {
        const json::value* name =
            FieldPath{QStringLiteral("resource"), QStringLiteral("name")}.find(list[i]);
        const json::value* type = FieldPath{QStringLiteral("type")}.find(list[i]);
        if (name && name->is_string() && toQString(name->get_string()) == resource && type &&
            type->is_string() && type->get_string() == "Resource") {
            return int(i);
        }
    }
    return -1;
}

} // namespace

HorizontalPodAutoscalerForm::HorizontalPodAutoscalerForm(ObjectDocument* document, QWidget* parent)
    : KindForm(document, parent), m_cpu(new QSpinBox(this)), m_memory(new QSpinBox(this)) {
    auto* targetKind = new QComboBox(this);
    targetKind->setObjectName(QStringLiteral("targetKind"));
    for (const char* kind : {"Deployment", "StatefulSet", "ReplicaSet"}) {
        targetKind->addItem(QString::fromLatin1(kind), QString::fromLatin1(kind));
    }
    bindCombo(targetKind,
              {QStringLiteral("spec"), QStringLiteral("scaleTargetRef"), QStringLiteral("kind")});
    addRow(
        formLayout(), [] { return tr("Scales"); }, targetKind);
    auto* targetName = new QLineEdit(this);
    targetName->setObjectName(QStringLiteral("targetName"));
    addRow(
        formLayout(), [] { return tr("Workload name"); }, targetName,
        bindText(targetName,
                 {QStringLiteral("spec"), QStringLiteral("scaleTargetRef"), QStringLiteral("name")},
                 TextKind::String, validators::required));
    auto* minReplicas = new QSpinBox(this);
    minReplicas->setObjectName(QStringLiteral("minReplicas"));
    minReplicas->setRange(0, 100000);
    bindInt(minReplicas, {QStringLiteral("spec"), QStringLiteral("minReplicas")}, true,
            [] { return tr("default (1)"); });
    addRow(
        formLayout(), [] { return tr("Min replicas"); }, minReplicas);
    auto* maxReplicas = new QSpinBox(this);
    maxReplicas->setObjectName(QStringLiteral("maxReplicas"));
    maxReplicas->setRange(1, 100000);
    bindInt(maxReplicas, {QStringLiteral("spec"), QStringLiteral("maxReplicas")}, false);
    addRow(
        formLayout(), [] { return tr("Max replicas"); }, maxReplicas);
    for (auto [spin, resource] :
         {std::pair{m_cpu, QStringLiteral("cpu")}, std::pair{m_memory, QStringLiteral("memory")}}) {
        spin->setObjectName(resource + QStringLiteral("Utilization"));
        spin->setRange(0, 1000);
        spin->setSuffix(QStringLiteral(" %"));
        connect(spin, &QSpinBox::valueChanged, this,
                [this, spin, resource] { utilizationEdited(resource, spin); });
    }
    translated([this] {
        m_cpu->setSpecialValueText(tr("not used"));
        m_memory->setSpecialValueText(tr("not used"));
    });
    addRow(
        formLayout(), [] { return tr("Target CPU utilization"); }, m_cpu);
    addRow(
        formLayout(), [] { return tr("Target memory utilization"); }, m_memory);
}

json::object HorizontalPodAutoscalerForm::newObject(const QString& namespaceName) const {
    return json::object{
        {"apiVersion", "autoscaling/v2"},
        {"kind", "HorizontalPodAutoscaler"},
        {"metadata", json::object{{"name", ""}, {"namespace", toStdString(namespaceName)}}},
        {"spec",
         json::object{
             {"scaleTargetRef",
              json::object{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", ""}}},
             {"minReplicas", 1},
             {"maxReplicas", 5},
             {"metrics",
              json::array{json::object{
                  {"type", "Resource"},
                  {"resource",
                   json::object{{"name", "cpu"},
                                {"target", json::object{{"type", "Utilization"},
                                                        {"averageUtilization", 80}}}}}}}}}}};
}

void HorizontalPodAutoscalerForm::utilizationEdited(const QString& resource, QSpinBox* spin) {
    const int value = spin->value();
    document()->edit(
        [&](json::object& object) {
            const int index = metricIndex(Metrics.find(object), resource);
            if (value == 0) {
                if (index >= 0) {
                    (Metrics / index).remove(object, 1);
                    if (const json::value* list = Metrics.find(object);
                        list && list->is_array() && list->as_array().empty()) {
                        Metrics.remove(object, 1);
                    }
                }
                return;
            }
            json::object metric{
                {"type", "Resource"},
                {"resource",
                 json::object{{"name", toStdString(resource)},
                              {"target", json::object{{"type", "Utilization"},
                                                      {"averageUtilization", value}}}}}};
            if (index >= 0) {
                json::value* target =
                    (Metrics / index / QStringLiteral("resource") / QStringLiteral("target"))
                        .ensure(object);
                if (target != nullptr) {
                    *target = metric["resource"].as_object()["target"];
                }
                return;
            }
            json::value* list = Metrics.ensure(object);
            if (list == nullptr) {
                return;
            }
            if (!list->is_array()) {
                *list = json::array();
            }
            list->as_array().push_back(std::move(metric));
        },
        spin);
}

void HorizontalPodAutoscalerForm::load(QObject* origin) {
    KindForm::load(origin);
    const json::value* metrics = valueAt(Metrics);
    for (auto [spin, resource] :
         {std::pair{m_cpu, QStringLiteral("cpu")}, std::pair{m_memory, QStringLiteral("memory")}}) {
        if (spin == origin) {
            continue;
        }
        const int index = metricIndex(metrics, resource);
        int value = 0;
        if (index >= 0) {
            const json::value* u = (FieldPath{index} / QStringLiteral("resource") /
                                    QStringLiteral("target") / QStringLiteral("averageUtilization"))
                                       .find(*metrics);
            if (u && (u->is_int64() || u->is_uint64())) {
                value = int(u->to_number<int64_t>());
            }
        }
        const QSignalBlocker block(spin);
        spin->setValue(value);
    }
}

} // namespace pilot::gui
