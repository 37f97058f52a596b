#include "gui/views/dashboardview.h"

#include "gui/metrics/metricshistory.h"
#include "gui/metrics/metricspoller.h"
#include "gui/metrics/usagechart.h"
#include "gui/models/clustersession.h"
#include "gui/models/daemonsetmodel.h"
#include "gui/models/deploymentmodel.h"
#include "gui/models/eventmodel.h"
#include "gui/models/modelutil.h"
#include "gui/models/navigationmodel.h"
#include "gui/models/nodemodel.h"
#include "gui/models/podmodel.h"
#include "gui/models/resourcefilterproxy.h"
#include "gui/models/statefulsetmodel.h"
#include "gui/views/resourcetableview.h"

#include <QChartView>
#include <QEvent>
#include <QFrame>
#include <QGridLayout>
#include <QHash>
#include <QHeaderView>
#include <QLabel>
#include <QPieSeries>
#include <QPieSlice>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace pilot::gui {

namespace {

constexpr int RecountDelayMs = 250;

QLabel* title(QWidget* parent) {
    auto* label = new QLabel(parent);
    QFont font = label->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 1.1);
    label->setFont(font);
    return label;
}

QFrame* card(QWidget* parent, QLayout* content) {
    auto* frame = new QFrame(parent);
    frame->setFrameShape(QFrame::StyledPanel);
    frame->setLayout(content);
    return frame;
}

const QStringList Phases = {QStringLiteral("Running"), QStringLiteral("Pending"),
                            QStringLiteral("Succeeded"), QStringLiteral("Failed"),
                            QStringLiteral("Unknown")};

QColor phaseColor(const QString& phase) {
    if (phase == QLatin1String("Running")) {
        return healthColor(Health::Ok);
    }
    if (phase == QLatin1String("Pending")) {
        return healthColor(Health::Progressing);
    }
    if (phase == QLatin1String("Succeeded")) {
        return QColor(0x7d, 0xb3, 0x8c);
    }
    if (phase == QLatin1String("Failed")) {
        return healthColor(Health::Error);
    }
    return healthColor(Health::Unknown);
}

} // namespace

DashboardView::DashboardView(ClusterSession* session, QWidget* parent)
    : QWidget(parent), m_session(session) {
    setObjectName(QStringLiteral("dashboard"));
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    outer->addWidget(scroll);
    auto* content = new QWidget(scroll);
    auto* grid = new QGridLayout(content);
    grid->setContentsMargins(10, 10, 10, 10);
    grid->setSpacing(10);

    // Nodes.
    auto* nodesLayout = new QVBoxLayout;
    m_nodesTitle = title(content);
    m_nodes = new QLabel(content);
    m_nodes->setObjectName(QStringLiteral("nodesSummary"));
    m_nodes->setWordWrap(true);
    nodesLayout->addWidget(m_nodesTitle);
    nodesLayout->addWidget(m_nodes);
    nodesLayout->addStretch();
    grid->addWidget(card(content, nodesLayout), 0, 0);

    // Pods by phase.
    auto* podsLayout = new QVBoxLayout;
    m_podsTitle = title(content);
    m_pods = new QLabel(content);
    m_pods->setObjectName(QStringLiteral("podsSummary"));
    m_pods->setWordWrap(true);
    m_phaseSeries = new QPieSeries(this);
    m_phaseSeries->setHoleSize(0.45);
    for (const QString& phase : Phases) {
        QPieSlice* slice = m_phaseSeries->append(phase, 0);
        slice->setColor(phaseColor(phase));
        slice->setBorderColor(Qt::white);
    }
    auto* chart = new QChart;
    chart->addSeries(m_phaseSeries);
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->setMargins(QMargins(0, 0, 0, 0));
    chart->setBackgroundVisible(false);
    m_phaseChart = new QChartView(chart, content);
    m_phaseChart->setObjectName(QStringLiteral("podPhaseChart"));
    m_phaseChart->setRenderHint(QPainter::Antialiasing);
    m_phaseChart->setMinimumSize(260, 150);
    podsLayout->addWidget(m_podsTitle);
    podsLayout->addWidget(m_pods);
    podsLayout->addWidget(m_phaseChart, 1);
    grid->addWidget(card(content, podsLayout), 0, 1);

    // Workloads by health.
    auto* workloadsLayout = new QVBoxLayout;
    m_workloadsTitle = title(content);
    m_workloads = new QTableWidget(3, 4, content);
    m_workloads->setObjectName(QStringLiteral("workloadHealth"));
    m_workloads->verticalHeader()->hide();
    m_workloads->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_workloads->setSelectionMode(QAbstractItemView::NoSelection);
    m_workloads->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_workloads->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_workloads->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_workloads->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    workloadsLayout->addWidget(m_workloadsTitle);
    workloadsLayout->addWidget(m_workloads);
    workloadsLayout->addStretch();
    grid->addWidget(card(content, workloadsLayout), 0, 2);

    // Metrics.
    auto* metricsLayout = new QVBoxLayout;
    m_metricsTitle = title(content);
    m_metricsStack = new QStackedWidget(content);
    m_metricsUnavailable = new QLabel(content);
    m_metricsUnavailable->setObjectName(QStringLiteral("metricsUnavailable"));
    m_metricsUnavailable->setAlignment(Qt::AlignCenter);
    m_metricsUnavailable->setWordWrap(true);
    m_metricsUnavailable->setMinimumHeight(120);
    m_history = new MetricsHistory(360, this);
    auto* charts = new QWidget(content);
    auto* chartGrid = new QGridLayout(charts);
    chartGrid->setContentsMargins(0, 0, 0, 0);
    using Metric = UsageChart::Metric;
    using Scope = UsageChart::Scope;
    m_charts = {new UsageChart(m_history, Metric::Cpu, Scope::Cluster, charts),
                new UsageChart(m_history, Metric::Memory, Scope::Cluster, charts),
                new UsageChart(m_history, Metric::Cpu, Scope::PerNode, charts),
                new UsageChart(m_history, Metric::Memory, Scope::PerNode, charts)};
    for (int i = 0; i < m_charts.size(); ++i) {
        m_charts[i]->setMinimumHeight(220);
        chartGrid->addWidget(m_charts[i], i / 2, i % 2);
    }
    m_metricsStack->addWidget(m_metricsUnavailable);
    m_metricsStack->addWidget(charts);
    metricsLayout->addWidget(m_metricsTitle);
    metricsLayout->addWidget(m_metricsStack);
    grid->addWidget(card(content, metricsLayout), 1, 0, 1, 3);

    // Recent warning events.
    auto* warningsLayout = new QVBoxLayout;
    m_warningsTitle = title(content);
    m_warningsProxy = new ResourceFilterProxy(this);
    m_warningsProxy->setSourceModel(session->events());
    m_warningsProxy->setPredicate([](const ObjectRecord& record) {
        return static_cast<const EventRecord&>(record).type == QLatin1String("Warning");
    });
    m_warnings = new ResourceTableView(content);
    m_warnings->setObjectName(QStringLiteral("warningEvents"));
    m_warnings->setProxy(m_warningsProxy);
    m_warnings->sortByColumn(EventModel::LastSeen, Qt::AscendingOrder);
    m_warnings->setMinimumHeight(180);
    warningsLayout->addWidget(m_warningsTitle);
    warningsLayout->addWidget(m_warnings);
    grid->addWidget(card(content, warningsLayout), 2, 0, 1, 3);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(2, 1);
    scroll->setWidget(content);

    m_poller = new MetricsPoller(session->client(), this);
    connect(m_poller, &MetricsPoller::sampled, m_history, &MetricsHistory::add);
    connect(m_poller, &MetricsPoller::availabilityChanged, this, &DashboardView::updateMetricsPage);
    updateMetricsPage();
    m_poller->start();

    m_recount.setObjectName(QStringLiteral("dashboardRecount"));
    m_recount.setSingleShot(true);
    m_recount.setInterval(RecountDelayMs);
    connect(&m_recount, &QTimer::timeout, this, &DashboardView::recount);
    for (ResourceModel* model : {static_cast<ResourceModel*>(session->nodes()),
                                 static_cast<ResourceModel*>(session->pods()),
                                 static_cast<ResourceModel*>(session->deployments()),
                                 static_cast<ResourceModel*>(session->statefulSets()),
                                 static_cast<ResourceModel*>(session->daemonSets())}) {
        connect(model, &ResourceModel::contentChanged, this, &DashboardView::scheduleRecount);
    }
    retranslate();
    recount();
}

void DashboardView::setMetricsInterval(int ms) {
    m_poller->setInterval(ms);
    m_poller->poll();
}

bool DashboardView::metricsAvailable() const {
    return m_poller->isAvailable();
}

void DashboardView::updateMetricsPage() {
    int current = m_poller->isAvailable() ? 1 : 0;
    // A stack is as tall as its tallest page: only the shown page may ask for room.
    for (int i = 0; i < m_metricsStack->count(); ++i) {
        m_metricsStack->widget(i)->setSizePolicy(
            i == current ? QSizePolicy::Preferred : QSizePolicy::Ignored,
            i == current ? QSizePolicy::Preferred : QSizePolicy::Ignored);
    }
    m_metricsStack->setCurrentIndex(current);
    m_metricsStack->adjustSize();
}

void DashboardView::scheduleRecount() {
    // Hidden dashboards do not count (30k pods cost milliseconds each time); showEvent catches up.
    if (!isVisible()) {
        m_stale = true;
        return;
    }
    if (!m_recount.isActive()) {
        m_recount.start();
    }
}

void DashboardView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (m_stale) {
        m_stale = false;
        recount();
    }
}

QString DashboardView::nodesText() const {
    return m_nodes->text();
}

void DashboardView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QWidget::changeEvent(event);
}

void DashboardView::retranslate() {
    m_nodesTitle->setText(tr("Nodes"));
    m_podsTitle->setText(tr("Pods by phase"));
    m_workloadsTitle->setText(tr("Workloads by health"));
    m_metricsTitle->setText(tr("CPU and memory"));
    m_warningsTitle->setText(tr("Recent warning events"));
    m_metricsUnavailable->setText(
        tr("Metrics unavailable: no node reports CPU and memory through metrics.k8s.io yet "
           "(Pilothouse node agents or a metrics server provide them)."));
    m_workloads->setHorizontalHeaderLabels(
        {tr("Kind"), tr("Healthy"), tr("Progressing"), tr("Degraded")});
    const QList<QString> phaseNames = {tr("Running"), tr("Pending"), tr("Succeeded"), tr("Failed"),
                                       tr("Unknown")};
    for (int i = 0; i < m_phaseSeries->count(); ++i) {
        m_phaseSeries->slices().at(i)->setProperty("phaseTitle", phaseNames.value(i));
    }
    recount();
    // The legend keeps the markers' first texts: rebuild it for the new language.
    QChart* chart = m_phaseChart->chart();
    chart->removeSeries(m_phaseSeries);
    chart->addSeries(m_phaseSeries);
}

void DashboardView::recount() {
    if (!m_session) {
        return;
    }
    // Nodes.
    int nodes = 0;
    int ready = 0;
    int cordoned = 0;
    double cpu = 0;
    double memory = 0;
    for (const RecordPtr& record : m_session->nodes()->records()) {
        const auto& node = static_cast<const NodeRecord&>(*record);
        ++nodes;
        ready += node.ready == QLatin1String("True") ? 1 : 0;
        cordoned += node.unschedulable ? 1 : 0;
        cpu += node.cpuAllocatable;
        memory += node.memoryAllocatable;
    }
    QString nodesText = tr("%1 of %n node(s) ready", nullptr, nodes).arg(ready);
    if (nodes - ready > 0) {
        nodesText += QLatin1Char('\n') + tr("%n not ready", nullptr, nodes - ready);
    }
    if (cordoned > 0) {
        nodesText += QLatin1Char('\n') + tr("%n cordoned", nullptr, cordoned);
    }
    if (nodes > 0) {
        nodesText +=
            QLatin1Char('\n') +
            tr("Allocatable: %1 CPU, %2 memory").arg(formatCores(cpu), formatBytes(memory));
    }
    m_nodes->setText(nodesText);
    m_nodes->setStyleSheet(QStringLiteral("QLabel { color: %1; }")
                               .arg(healthColor(nodes == 0       ? Health::Unknown
                                                : ready == nodes ? Health::Ok
                                                                 : Health::Error)
                                        .name()));

    // Pods by phase.
    m_phases.clear();
    QHash<QString, int> byPhase; // phases are interned strings: cheap to hash
    const QList<RecordPtr>& podRecords = m_session->pods()->records();
    int pods = int(podRecords.size());
    for (const RecordPtr& record : podRecords) {
        byPhase[static_cast<const PodRecord&>(*record).phase] += 1;
    }
    for (auto it = byPhase.begin(); it != byPhase.end(); ++it) {
        m_phases[Phases.contains(it.key()) ? it.key() : QStringLiteral("Unknown")] += it.value();
    }
    QStringList parts;
    for (int i = 0; i < Phases.size(); ++i) {
        int count = m_phases.value(Phases.at(i));
        QPieSlice* slice = m_phaseSeries->slices().at(i);
        QString phaseTitle = slice->property("phaseTitle").toString();
        slice->setValue(count);
        slice->setLabel(phaseTitle); // counts are in the summary above
        if (count > 0) {
            parts << QStringLiteral("%1 %2").arg(count).arg(phaseTitle);
        }
    }
    m_phaseSeries->setVisible(pods > 0); // an empty pie draws a stray line
    m_pods->setText(parts.isEmpty() ? tr("%n pod(s)", nullptr, pods)
                                    : tr("%1: %2", "pods: phases")
                                          .arg(tr("%n pod(s)", nullptr, pods),
                                               parts.join(tr(", ", "list separator"))));

    // Workloads by health.
    const QList<ResourceModel*> workloads = {m_session->deployments(), m_session->statefulSets(),
                                             m_session->daemonSets()};
    for (int row = 0; row < workloads.size(); ++row) {
        ResourceModel* model = workloads.at(row);
        int healthy = 0;
        int progressing = 0;
        int degraded = 0;
        for (const RecordPtr& record : model->records()) {
            switch (model->health(*record)) {
            case Health::Ok:
                ++healthy;
                break;
            case Health::Progressing:
                ++progressing;
                break;
            default:
                ++degraded;
            }
        }
        QStringList cells{NavigationModel::kindTitle(model->resourceType()),
                          QString::number(healthy), QString::number(progressing),
                          QString::number(degraded)};
        for (int column = 0; column < cells.size(); ++column) {
            auto* item = new QTableWidgetItem(cells.at(column));
            if (column == 1) {
                item->setForeground(healthColor(Health::Ok));
            } else if (column == 2 && progressing) {
                item->setForeground(healthColor(Health::Progressing));
            } else if (column == 3 && degraded) {
                item->setForeground(healthColor(Health::Error));
            }
            m_workloads->setItem(row, column, item);
        }
    }
    int height = m_workloads->horizontalHeader()->height() + 2 * m_workloads->frameWidth();
    for (int row = 0; row < m_workloads->rowCount(); ++row) {
        height += m_workloads->rowHeight(row);
    }
    m_workloads->setFixedHeight(height);
}

} // namespace pilot::gui
