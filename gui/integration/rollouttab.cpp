#include "gui/integration/rollouttab.h"

#include "gui/client/informer.h"
#include "gui/integration/clientapplier.h"
#include "gui/models/clustersession.h"
#include "gui/models/modelutil.h"
#include "gui/rollout/rollouthistorywidget.h"
#include "kube/yaml.h"

#include <QJsonDocument>
#include <QVBoxLayout>

namespace pilot::gui {

namespace {

ResourceType controllerRevisions() {
    ResourceType type;
    type.group = QStringLiteral("apps");
    type.version = QStringLiteral("v1");
    type.kind = QStringLiteral("ControllerRevision");
    type.plural = QStringLiteral("controllerrevisions");
    type.verbs = {QStringLiteral("list"), QStringLiteral("watch"), QStringLiteral("get")};
    return type;
}

std::optional<boost::json::object> toBoost(const QJsonObject& object) {
    const QByteArray text = QJsonDocument(object).toJson(QJsonDocument::Compact);
    auto parsed = kube::parseJson(std::string_view(text.constData(), size_t(text.size())));
    if (!parsed || !parsed->is_object()) {
        return std::nullopt;
    }
    return std::move(parsed->as_object());
}

/// matchLabels as a label selector (matchExpressions are left to the ownership filter).
QString matchLabelsSelector(const QJsonObject& workload) {
    const QJsonObject match = jsonAt(workload, u"spec.selector.matchLabels").toObject();
    QStringList parts;
    for (auto it = match.begin(); it != match.end(); ++it) {
        parts << it.key() + QLatin1Char('=') + it.value().toString();
    }
    return parts.join(QLatin1Char(','));
}

} // namespace

bool RolloutTab::appliesTo(const ResourceType& type) {
    return type == ResourceType::deployments() || type == ResourceType::statefulSets() ||
           type == ResourceType::daemonSets();
}

RolloutTab::RolloutTab(ClusterSession* session, ObjectRef ref, QWidget* parent)
    : QWidget(parent), m_session(session), m_ref(std::move(ref)) {
    setObjectName(QStringLiteral("rolloutTab"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_history = new RolloutHistoryWidget(ClientApplier::of(session), this);
    layout->addWidget(m_history);
    connect(session->model(m_ref.type), &ResourceModel::contentChanged, this,
            &RolloutTab::onWorkloadChanged);
    onWorkloadChanged();
}

void RolloutTab::startOwnedInformer(const QString& labelSelector) {
    Informer::Options options;
    options.type = m_ref.type == ResourceType::deployments() ? ResourceType::replicaSets()
                                                             : controllerRevisions();
    options.namespaceName = m_ref.namespaceName;
    options.labelSelector = labelSelector;
    options.decoder = [](const QJsonObject& object) -> RecordPtr {
        auto record = std::make_shared<ObjectRecord>();
        record->fillMeta(object);
        return record;
    };
    m_owned = new Informer(m_session->client(), options, this);
    connect(m_owned, &Informer::batchReady, this, &RolloutTab::onBatch);
    m_owned->start();
}

void RolloutTab::onWorkloadChanged() {
    if (!m_session) {
        return;
    }
    RecordPtr record = m_session->model(m_ref.type)
                           ->recordByKey(m_ref.namespaceName + QLatin1Char('/') + m_ref.name);
    if (!record || record->resourceVersion == m_shownVersion) {
        return;
    }
    m_shownVersion = record->resourceVersion;
    QJsonObject workload = record->json();
    // List items come without apiVersion and kind; the history needs the kind.
    workload.insert(QStringLiteral("apiVersion"), m_ref.type.apiVersion());
    workload.insert(QStringLiteral("kind"), m_ref.type.kind);
    if (!m_owned) {
        startOwnedInformer(matchLabelsSelector(workload));
    }
    if (auto object = toBoost(workload)) {
        m_history->setWorkload(*object);
    }
}

void RolloutTab::onBatch(const RecordBatch& batch) {
    const QString apiVersion = m_owned->options().type.apiVersion();
    const QString kind = m_owned->options().type.kind;
    for (const QString& key : batch.removed) {
        m_objects.remove(key);
    }
    if (batch.listComplete) {
        for (auto it = m_objects.begin(); it != m_objects.end();) {
            it = batch.listComplete->contains(it.key()) ? std::next(it) : m_objects.erase(it);
        }
    }
    for (const RecordPtr& record : batch.upserts) {
        QJsonObject object = record->json();
        object.insert(QStringLiteral("apiVersion"), apiVersion);
        object.insert(QStringLiteral("kind"), kind);
        if (auto converted = toBoost(object)) {
            m_objects.insert(record->key(), std::move(*converted));
        }
    }
    m_history->setOwned(m_objects.values());
}

} // namespace pilot::gui
