#include "gui/views/detailview.h"

#include "gui/models/clustersession.h"
#include "gui/models/eventmodel.h"
#include "gui/models/labelfilter.h"
#include "gui/models/modelutil.h"
#include "gui/models/navigationmodel.h"
#include "gui/models/podmodel.h"
#include "gui/models/resourcefilterproxy.h"
#include "gui/models/servicemodel.h"
#include "gui/views/actioncontroller.h"
#include "gui/views/resourcetableview.h"

#include "kube/yaml.h"

#include <boost/json/parse.hpp>

#include <QDateTime>
#include <QEvent>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QScrollBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QToolBar>
#include <QVBoxLayout>

namespace pilot::gui {

namespace {

DetailView::YamlViewFactory& yamlFactory() {
    static DetailView::YamlViewFactory factory;
    return factory;
}

QList<DetailView::TabFactory>& tabFactories() {
    static QList<DetailView::TabFactory> factories;
    return factories;
}

/// A metav1.LabelSelector as selector text (matchLabels and matchExpressions).
QString selectorText(const QJsonObject& selector) {
    QStringList parts;
    QJsonObject match = selector.value(QLatin1String("matchLabels")).toObject();
    for (auto it = match.begin(); it != match.end(); ++it) {
        parts << it.key() + QLatin1Char('=') + it.value().toString();
    }
    for (const QJsonValue& value : selector.value(QLatin1String("matchExpressions")).toArray()) {
        QJsonObject e = value.toObject();
        QString key = e.value(QLatin1String("key")).toString();
        QString op = e.value(QLatin1String("operator")).toString();
        QStringList values;
        for (const QJsonValue& v : e.value(QLatin1String("values")).toArray()) {
            values << v.toString();
        }
        if (op == QLatin1String("In")) {
            parts << key + QStringLiteral(" in (") + values.join(QLatin1Char(',')) +
                         QLatin1Char(')');
        } else if (op == QLatin1String("NotIn")) {
            parts << key + QStringLiteral(" notin (") + values.join(QLatin1Char(',')) +
                         QLatin1Char(')');
        } else if (op == QLatin1String("Exists")) {
            parts << key;
        } else if (op == QLatin1String("DoesNotExist")) {
            parts << QLatin1Char('!') + key;
        }
    }
    return parts.join(QLatin1Char(','));
}

QString mapText(const QJsonObject& map) {
    QStringList parts;
    for (auto it = map.begin(); it != map.end(); ++it) {
        parts << it.key() + QLatin1Char('=') + it.value().toString();
    }
    return parts.join(QStringLiteral(", "));
}

QString keysOf(const QJsonObject& map) {
    return map.keys().join(QStringLiteral(", "));
}

QString containersText(const QJsonObject& podSpec) {
    QStringList parts;
    for (const QJsonValue& value : podSpec.value(QLatin1String("containers")).toArray()) {
        QJsonObject c = value.toObject();
        parts << c.value(QLatin1String("name")).toString() + QStringLiteral(": ") +
                     c.value(QLatin1String("image")).toString();
    }
    return parts.join(QLatin1Char('\n'));
}

QString timeText(qint64 ms) {
    if (ms <= 0) {
        return {};
    }
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) +
           QStringLiteral(" (") + ageSince(ms) + QLatin1Char(')');
}

QLabel* sectionTitle(QWidget* parent) {
    auto* label = new QLabel(parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

} // namespace

void DetailView::setYamlViewFactory(YamlViewFactory factory) {
    yamlFactory() = std::move(factory);
}

void DetailView::addTabFactory(TabFactory factory) {
    tabFactories().append(std::move(factory));
}

void DetailView::clearTabFactories() {
    tabFactories().clear();
}

DetailView::DetailView(ClusterSession* session, ResourceType type, const QString& key,
                       ActionController* controller, QWidget* parent)
    : QWidget(parent), m_session(session), m_type(std::move(type)), m_key(key) {
    setObjectName(QStringLiteral("detailView"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);

    auto* header = new QHBoxLayout;
    m_heading = new QLabel(this);
    m_heading->setObjectName(QStringLiteral("detailHeading"));
    QFont headingFont = m_heading->font();
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.3);
    headingFont.setBold(true);
    m_heading->setFont(headingFont);
    m_heading->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("detailStatus"));
    header->addWidget(m_heading);
    header->addSpacing(12);
    header->addWidget(m_status);
    header->addStretch();
    layout->addLayout(header);

    m_deletedNotice = new QLabel(this);
    m_deletedNotice->setObjectName(QStringLiteral("deletedNotice"));
    m_deletedNotice->setAutoFillBackground(true);
    QPalette notice = m_deletedNotice->palette();
    notice.setColor(QPalette::Window, QColor(0xfb, 0xe3, 0xe4));
    m_deletedNotice->setPalette(notice);
    m_deletedNotice->setContentsMargins(8, 4, 8, 4);
    m_deletedNotice->hide();
    layout->addWidget(m_deletedNotice);

    m_toolBar = new QToolBar(this);
    m_toolBar->setObjectName(QStringLiteral("detailActions"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_actions = new ResourceActions(controller, this);
    m_actions->setType(m_type);
    m_toolBar->addActions(m_actions->actions());
    layout->addWidget(m_toolBar);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("detailTabs"));
    layout->addWidget(m_tabs, 1);

    // Overview: summary form, conditions, pods, related objects; scrolls as a whole.
    auto* scroll = new QScrollArea(m_tabs);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_overview = new QWidget(scroll);
    auto* overview = new QVBoxLayout(m_overview);
    m_summary = new QFormLayout;
    m_summary->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    m_summary->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    overview->addLayout(m_summary);
    m_conditionsTitle = sectionTitle(m_overview);
    overview->addWidget(m_conditionsTitle);
    m_conditions = new QTableWidget(0, 5, m_overview);
    m_conditions->setObjectName(QStringLiteral("conditions"));
    m_conditions->verticalHeader()->hide();
    m_conditions->horizontalHeader()->setStretchLastSection(true);
    m_conditions->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_conditions->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    overview->addWidget(m_conditions);
    m_podsTitle = sectionTitle(m_overview);
    overview->addWidget(m_podsTitle);
    m_pods = new ResourceTableView(m_overview);
    m_pods->setObjectName(QStringLiteral("detailPods"));
    m_pods->setMinimumHeight(160);
    overview->addWidget(m_pods);
    m_relatedTitle = sectionTitle(m_overview);
    overview->addWidget(m_relatedTitle);
    m_related = new QListWidget(m_overview);
    m_related->setObjectName(QStringLiteral("related"));
    m_related->setMaximumHeight(120);
    overview->addWidget(m_related);
    overview->addStretch();
    scroll->setWidget(m_overview);
    m_tabs->addTab(scroll, QString());

    m_events = new ResourceTableView(m_tabs);
    m_events->setObjectName(QStringLiteral("detailEvents"));
    m_tabs->addTab(m_events, QString());

    int slash = int(m_key.indexOf(QLatin1Char('/')));
    ObjectRef ref{m_type, slash >= 0 ? m_key.left(slash) : QString(),
                  slash >= 0 ? m_key.mid(slash + 1) : m_key};
    if (yamlFactory()) {
        m_yamlWidget = yamlFactory()(session, ref, m_tabs);
    }
    if (!m_yamlWidget) {
        m_yaml = new QPlainTextEdit(m_tabs);
        m_yaml->setObjectName(QStringLiteral("yamlView"));
        m_yaml->setReadOnly(true);
        m_yaml->setLineWrapMode(QPlainTextEdit::NoWrap);
        m_yaml->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        m_yamlWidget = m_yaml;
    }
    m_tabs->addTab(m_yamlWidget, QString());
    for (const TabFactory& factory : std::as_const(tabFactories())) {
        if (factory.appliesTo && !factory.appliesTo(m_type)) {
            continue;
        }
        if (QWidget* tab = factory.create(session, ref, m_tabs)) {
            m_tabs->addTab(tab, QString());
            m_extraTabs.append({tab, factory.title});
        }
    }

    setupPods();
    setupEvents();
    connect(m_related, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        auto related = item->data(Qt::UserRole).value<ResourceType>();
        if (related.isValid()) {
            Q_EMIT openRelated(related, item->data(Qt::UserRole + 1).toString(),
                               item->data(Qt::UserRole + 2).toString());
        }
    });
    if (ResourceModel* model = session->model(m_type)) {
        connect(model, &ResourceModel::contentChanged, this, &DetailView::onModelChanged);
    }
    retranslate();
    onModelChanged();
}

void DetailView::setupPods() {
    bool hasPods =
        (m_type == ResourceType::deployments() || m_type == ResourceType::statefulSets() ||
         m_type == ResourceType::daemonSets() || m_type == ResourceType::jobs() ||
         m_type == ResourceType::services() || m_type == ResourceType::nodes());
    m_podsTitle->setVisible(hasPods);
    m_pods->setVisible(hasPods);
    if (!hasPods) {
        return;
    }
    m_podsProxy = new ResourceFilterProxy(this);
    m_podsProxy->setSourceModel(m_session->pods());
    m_podsProxy->setPredicate([](const ObjectRecord&) { return false; });
    m_pods->setProxy(m_podsProxy);
    m_pods->setSelectionMode(QAbstractItemView::SingleSelection);
    connect(m_pods, &ResourceTableView::activatedRecord, this, [this](const RecordPtr& pod) {
        Q_EMIT openRelated(ResourceType::pods(), pod->namespaceName, pod->name);
    });
}

void DetailView::setupEvents() {
    m_eventsProxy = new ResourceFilterProxy(this);
    m_eventsProxy->setSourceModel(m_session->events());
    m_eventsProxy->setPredicate([](const ObjectRecord&) { return false; });
    m_events->setProxy(m_eventsProxy);
    m_events->sortByColumn(EventModel::LastSeen, Qt::AscendingOrder);
}

QString DetailView::title() const {
    int slash = int(m_key.indexOf(QLatin1Char('/')));
    QString name = slash >= 0 ? m_key.mid(slash + 1) : m_key;
    return m_type.kind + QLatin1Char(' ') + name;
}

QString DetailView::yamlText() const {
    if (m_yaml) {
        return m_yaml->toPlainText();
    }
    // A YAML tab from the factory names its text editor `yamlEditor`.
    auto* editor = m_yamlWidget->findChild<QPlainTextEdit*>(QStringLiteral("yamlEditor"));
    return editor ? editor->toPlainText() : QString();
}

QString DetailView::summaryValue(const QString& label) const {
    for (int row = 0; row < m_summary->rowCount(); ++row) {
        auto* name =
            qobject_cast<QLabel*>(m_summary->itemAt(row, QFormLayout::LabelRole)
                                      ? m_summary->itemAt(row, QFormLayout::LabelRole)->widget()
                                      : nullptr);
        auto* value =
            qobject_cast<QLabel*>(m_summary->itemAt(row, QFormLayout::FieldRole)
                                      ? m_summary->itemAt(row, QFormLayout::FieldRole)->widget()
                                      : nullptr);
        if (name && value && name->text() == label + QLatin1Char(':')) {
            return value->text();
        }
    }
    return {};
}

void DetailView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QWidget::changeEvent(event);
}

void DetailView::retranslate() {
    m_tabs->setTabText(0, tr("Overview"));
    m_tabs->setTabText(1, tr("Events"));
    m_tabs->setTabText(2, tr("YAML"));
    for (const auto& [tab, title] : std::as_const(m_extraTabs)) {
        m_tabs->setTabText(m_tabs->indexOf(tab), title ? title() : QString());
    }
    m_conditionsTitle->setText(tr("Conditions"));
    m_podsTitle->setText(tr("Pods"));
    m_relatedTitle->setText(tr("Related objects"));
    m_conditions->setHorizontalHeaderLabels(
        {tr("Type"), tr("Status"), tr("Reason"), tr("Last transition"), tr("Message")});
    m_deletedNotice->setText(tr("This object was deleted. The last known state is shown."));
    m_shownVersion.clear(); // summary labels are translated: rebuild
    refresh();
}

void DetailView::onModelChanged() {
    if (!m_session) {
        return;
    }
    ResourceModel* model = m_session->model(m_type);
    RecordPtr current = model->recordByKey(m_key);
    if (!current) {
        if (m_record && m_session->hasSynced(m_type) && !m_deleted) {
            m_deleted = true;
            m_deletedNotice->show();
            m_actions->setRecords({});
        }
        return;
    }
    if (m_deleted) {
        m_deleted = false;
        m_deletedNotice->hide();
    }
    if (current == m_record) {
        return;
    }
    m_record = current;
    m_actions->setRecords({current});
    refresh();
}

void DetailView::refresh() {
    if (!m_record) {
        m_heading->setText(title());
        return;
    }
    if (m_record->resourceVersion == m_shownVersion) {
        return;
    }
    m_shownVersion = m_record->resourceVersion;
    m_heading->setText(title());
    ResourceModel* model = m_session->model(m_type);
    int row = model->rowOfKey(m_key);
    QString status = model->data(model->index(row, 0), ResourceModel::StatusTextRole).toString();
    QColor color =
        healthColor(model->data(model->index(row, 0), ResourceModel::HealthRole).value<Health>());
    m_status->setText(status);
    m_status->setStyleSheet(
        QStringLiteral("QLabel { color: %1; font-weight: bold; }").arg(color.name()));
    Q_EMIT titleChanged(title());

    QJsonObject object = m_record->json();
    if (object.isEmpty()) {
        // Records of server-side tables keep only metadata: fetch the object itself.
        delete m_fetchContext;
        m_fetchContext = new QObject(this);
        m_session->client()->get(m_type.objectPath(m_record->namespaceName, m_record->name),
                                 m_fetchContext, [this](const ApiResponse& response) {
                                     if (!response.ok()) {
                                         return;
                                     }
                                     QJsonObject fetched = response.object();
                                     fillSummary(fetched);
                                     fillConditions(fetched);
                                     fillRelated(fetched);
                                     fillYaml(fetched);
                                 });
    } else {
        fillSummary(object);
        fillConditions(object);
        fillRelated(object);
        fillYaml(object);
    }

    QString uid = m_record->uid;
    QString kind = m_type.kind;
    QString ns = m_record->namespaceName;
    QString name = m_record->name;
    m_eventsProxy->setPredicate([uid, kind, ns, name](const ObjectRecord& record) {
        const auto& e = static_cast<const EventRecord&>(record);
        if (!e.objectUid.isEmpty()) {
            return e.objectUid == uid;
        }
        return e.objectKind == kind && e.objectName == name && e.objectNamespace == ns;
    });
    if (m_podsProxy) {
        if (m_type == ResourceType::nodes()) {
            m_podsProxy->setPredicate([name](const ObjectRecord& record) {
                return static_cast<const PodRecord&>(record).node == name;
            });
        } else {
            QString selector = m_type == ResourceType::services()
                                   ? mapText(jsonAt(object, u"spec.selector").toObject())
                                         .replace(QStringLiteral(", "), QStringLiteral(","))
                                   : selectorText(jsonAt(object, u"spec.selector").toObject());
            auto filter = LabelFilter::parse(selector);
            if (selector.isEmpty() || !filter) {
                m_podsProxy->setPredicate([](const ObjectRecord&) { return false; });
            } else {
                m_podsProxy->setPredicate([ns, f = *filter](const ObjectRecord& record) {
                    return record.namespaceName == ns && f.matches(record.labels);
                });
            }
        }
    }
}

void DetailView::addSummary(const QString& label, const QString& value) {
    auto* valueLabel = new QLabel(value.isEmpty() ? QStringLiteral("—") : value, m_overview);
    valueLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    valueLabel->setWordWrap(true);
    m_summary->addRow(new QLabel(label + QLatin1Char(':'), m_overview), valueLabel);
}

void DetailView::fillSummary(const QJsonObject& o) {
    while (m_summary->rowCount() > 0) {
        m_summary->removeRow(0);
    }
    const ObjectRecord& r = *m_record;
    addSummary(tr("Name"), r.name);
    if (m_type.namespaced) {
        addSummary(tr("Namespace"), r.namespaceName);
    }
    addSummary(tr("Kind"), m_type.apiVersion() + QLatin1Char(' ') + m_type.kind);
    addSummary(tr("Created"), timeText(r.createdMs));
    addSummary(tr("Labels"),
               formatLabels(r.labels).replace(QLatin1Char(','), QStringLiteral(", ")));
    QJsonObject annotations = jsonAt(o, u"metadata.annotations").toObject();
    annotations.remove(QStringLiteral("kubectl.kubernetes.io/last-applied-configuration"));
    addSummary(tr("Annotations"), mapText(annotations));
    const QString id = m_type.id();
    QJsonObject podSpec = jsonAt(o, u"spec.template.spec").toObject();
    if (id == ResourceType::deployments().id() || id == ResourceType::statefulSets().id()) {
        addSummary(tr("Replicas"), tr("%1 desired, %2 updated, %3 ready, %4 available")
                                       .arg(intAt(o, u"spec.replicas", 1))
                                       .arg(intAt(o, u"status.updatedReplicas"))
                                       .arg(intAt(o, u"status.readyReplicas"))
                                       .arg(intAt(o, u"status.availableReplicas")));
        addSummary(tr("Selector"), selectorText(jsonAt(o, u"spec.selector").toObject()));
        addSummary(tr("Containers"), containersText(podSpec));
        if (id == ResourceType::deployments().id()) {
            addSummary(tr("Strategy"), stringAt(o, u"spec.strategy.type"));
            addSummary(tr("Paused"), jsonAt(o, u"spec.paused").toBool() ? tr("Yes") : tr("No"));
        }
    } else if (id == ResourceType::daemonSets().id()) {
        addSummary(tr("Pods"), tr("%1 desired, %2 ready, %3 updated")
                                   .arg(intAt(o, u"status.desiredNumberScheduled"))
                                   .arg(intAt(o, u"status.numberReady"))
                                   .arg(intAt(o, u"status.updatedNumberScheduled")));
        addSummary(tr("Containers"), containersText(podSpec));
    } else if (id == ResourceType::jobs().id()) {
        addSummary(tr("Completions"), QStringLiteral("%1/%2")
                                          .arg(intAt(o, u"status.succeeded"))
                                          .arg(intAt(o, u"spec.completions", 1)));
        addSummary(tr("Parallelism"), QString::number(intAt(o, u"spec.parallelism", 1)));
        addSummary(tr("Containers"), containersText(podSpec));
    } else if (id == ResourceType::cronJobs().id()) {
        addSummary(tr("Schedule"), stringAt(o, u"spec.schedule"));
        addSummary(tr("Suspended"), jsonAt(o, u"spec.suspend").toBool() ? tr("Yes") : tr("No"));
        addSummary(tr("Last schedule"),
                   timeText(parseTimestamp(stringAt(o, u"status.lastScheduleTime"))));
    } else if (id == ResourceType::pods().id()) {
        addSummary(tr("Node"), stringAt(o, u"spec.nodeName"));
        addSummary(tr("Pod IP"), stringAt(o, u"status.podIP"));
        addSummary(tr("QoS class"), stringAt(o, u"status.qosClass"));
        addSummary(tr("Containers"), containersText(o.value(QLatin1String("spec")).toObject()));
    } else if (id == ResourceType::services().id()) {
        addSummary(tr("Type"), stringAt(o, u"spec.type"));
        addSummary(tr("Cluster IP"), stringAt(o, u"spec.clusterIP"));
        addSummary(tr("Selector"), mapText(jsonAt(o, u"spec.selector").toObject()));
    } else if (id == ResourceType::configMaps().id()) {
        addSummary(tr("Keys"), keysOf(o.value(QLatin1String("data")).toObject()));
    } else if (id == ResourceType::secrets().id()) {
        addSummary(tr("Type"), o.value(QLatin1String("type")).toString());
        addSummary(tr("Keys"), keysOf(o.value(QLatin1String("data")).toObject()));
    } else if (id == ResourceType::persistentVolumeClaims().id()) {
        addSummary(tr("Status"), stringAt(o, u"status.phase"));
        addSummary(tr("Volume"), stringAt(o, u"spec.volumeName"));
        addSummary(tr("Capacity"), stringAt(o, u"status.capacity.storage"));
        addSummary(tr("Storage class"), stringAt(o, u"spec.storageClassName"));
    } else if (id == ResourceType::nodes().id()) {
        addSummary(tr("Kubelet version"), stringAt(o, u"status.nodeInfo.kubeletVersion"));
        addSummary(tr("OS image"), stringAt(o, u"status.nodeInfo.osImage"));
        addSummary(tr("Capacity"), tr("%1 CPU, %2 memory, %3 pods")
                                       .arg(stringAt(o, u"status.capacity.cpu"),
                                            stringAt(o, u"status.capacity.memory"),
                                            stringAt(o, u"status.capacity.pods")));
        addSummary(tr("Unschedulable"),
                   jsonAt(o, u"spec.unschedulable").toBool() ? tr("Yes") : tr("No"));
        QStringList taints;
        for (const QJsonValue& value : jsonAt(o, u"spec.taints").toArray()) {
            QJsonObject t = value.toObject();
            QString text = t.value(QLatin1String("key")).toString();
            if (QString v = t.value(QLatin1String("value")).toString(); !v.isEmpty()) {
                text += QLatin1Char('=') + v;
            }
            taints << text + QLatin1Char(':') + t.value(QLatin1String("effect")).toString();
        }
        addSummary(tr("Taints"), taints.join(QStringLiteral(", ")));
    }
}

void DetailView::fillConditions(const QJsonObject& object) {
    const QJsonArray conditions = jsonAt(object, u"status.conditions").toArray();
    m_conditions->setRowCount(int(conditions.size()));
    for (int row = 0; row < conditions.size(); ++row) {
        QJsonObject c = conditions.at(row).toObject();
        QStringList cells{
            c.value(QLatin1String("type")).toString(), c.value(QLatin1String("status")).toString(),
            c.value(QLatin1String("reason")).toString(),
            ageSince(parseTimestamp(c.value(QLatin1String("lastTransitionTime")).toString())),
            c.value(QLatin1String("message")).toString()};
        for (int column = 0; column < cells.size(); ++column) {
            auto* item = new QTableWidgetItem(cells.at(column));
            item->setToolTip(cells.at(column));
            m_conditions->setItem(row, column, item);
        }
    }
    m_conditions->resizeColumnsToContents();
    m_conditions->resizeRowsToContents();
    // As tall as its rows: the overview scrolls as a whole, the table never does.
    int height = m_conditions->horizontalHeader()->height() + 2 * m_conditions->frameWidth();
    for (int row = 0; row < m_conditions->rowCount(); ++row) {
        height += m_conditions->rowHeight(row);
    }
    m_conditions->setFixedHeight(height);
    m_conditionsTitle->setVisible(!conditions.isEmpty());
    m_conditions->setVisible(!conditions.isEmpty());
}

void DetailView::fillRelated(const QJsonObject& object) {
    m_object = object;
    m_related->clear();
    auto add = [this](const QString& text, const ResourceType& type, const QString& ns,
                      const QString& name) {
        auto* item = new QListWidgetItem(text, m_related);
        item->setData(Qt::UserRole, QVariant::fromValue(type));
        item->setData(Qt::UserRole + 1, ns);
        item->setData(Qt::UserRole + 2, name);
    };
    QString ns = m_record->namespaceName;
    for (const QJsonValue& value : jsonAt(object, u"metadata.ownerReferences").toArray()) {
        QJsonObject owner = value.toObject();
        QString kind = owner.value(QLatin1String("kind")).toString();
        QString apiVersion = owner.value(QLatin1String("apiVersion")).toString();
        QString group = apiVersion.contains(QLatin1Char('/'))
                            ? apiVersion.section(QLatin1Char('/'), 0, 0)
                            : QString();
        ResourceType type = m_session->discovery()->findKind(group, kind);
        add(tr("Owner: %1 %2").arg(kind, owner.value(QLatin1String("name")).toString()), type, ns,
            owner.value(QLatin1String("name")).toString());
    }
    if (QString node = stringAt(object, u"spec.nodeName"); !node.isEmpty()) {
        add(tr("Node: %1").arg(node), ResourceType::nodes(), QString(), node);
    }
    if (QString volume = stringAt(object, u"spec.volumeName");
        !volume.isEmpty() && m_type == ResourceType::persistentVolumeClaims()) {
        add(tr("Volume: %1").arg(volume), ResourceType::persistentVolumes(), QString(), volume);
    }
    // Services whose selector picks this workload's pods (or this pod).
    Labels podLabels =
        m_type == ResourceType::pods()
            ? m_record->labels
            : labelsFrom(jsonAt(object, u"spec.template.metadata.labels").toObject());
    if (!podLabels.isEmpty()) {
        auto* services = static_cast<ServiceModel*>(m_session->model(ResourceType::services()));
        if (!m_watchingServices) {
            // Services may arrive (or change) after the object: keep the list current.
            m_watchingServices = true;
            connect(services, &ResourceModel::contentChanged, this, [this] {
                if (m_record && !m_object.isEmpty()) {
                    fillRelated(m_object);
                }
            });
        }
        for (const RecordPtr& record : services->records()) {
            const auto& service = static_cast<const ServiceRecord&>(*record);
            if (service.namespaceName != ns || service.selector.isEmpty()) {
                continue;
            }
            bool all = std::all_of(service.selector.begin(), service.selector.end(),
                                   [&](const auto& pair) { return podLabels.contains(pair); });
            if (all) {
                add(tr("Service: %1").arg(service.name), ResourceType::services(), ns,
                    service.name);
            }
        }
    }
    m_relatedTitle->setVisible(m_related->count() > 0);
    m_related->setVisible(m_related->count() > 0);
}

void DetailView::fillYaml(const QJsonObject& object) {
    if (!m_yaml) {
        return;
    }
    QByteArray json = QJsonDocument(object).toJson(QJsonDocument::Compact);
    boost::system::error_code ec;
    boost::json::value value =
        boost::json::parse(std::string_view(json.constData(), size_t(json.size())), ec);
    if (ec) {
        m_yaml->setPlainText(QString::fromUtf8(QJsonDocument(object).toJson()));
        return;
    }
    int scroll = m_yaml->verticalScrollBar() ? m_yaml->verticalScrollBar()->value() : 0;
    m_yaml->setPlainText(QString::fromStdString(kube::toYaml(value)));
    if (m_yaml->verticalScrollBar()) {
        m_yaml->verticalScrollBar()->setValue(scroll);
    }
}

} // namespace pilot::gui
