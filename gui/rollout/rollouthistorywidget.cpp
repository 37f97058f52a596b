#include "gui/rollout/rollouthistorywidget.h"

#include "gui/editors/diffview.h"
#include "gui/editors/fieldpath.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "kube/yaml.h"

#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace pilot::gui {

namespace json = boost::json;

namespace {

enum Column { RevisionColumn, CreatedColumn, CauseColumn, ImagesColumn };

std::optional<json::object> fromQJson(const QJsonObject& object) {
    const QByteArray text = QJsonDocument(object).toJson(QJsonDocument::Compact);
    auto parsed = kube::parseJson(std::string_view(text.constData(), size_t(text.size())));
    if (!parsed || !parsed->is_object()) {
        return std::nullopt;
    }
    return parsed->as_object();
}

QString templateYaml(const Revision& revision) {
    return QString::fromStdString(kube::toYaml(revision.podTemplate));
}

} // namespace

RolloutHistoryWidget::RolloutHistoryWidget(ObjectApplier* applier, QWidget* parent)
    : QWidget(parent), m_applier(applier), m_title(new QLabel(this)), m_status(new QLabel(this)),
      m_banner(new QLabel(this)), m_list(new QTreeWidget(this)), m_rollback(new QPushButton(this)),
      m_confirmBar(new QWidget(this)), m_confirmText(new QLabel(m_confirmBar)),
      m_confirm(new QPushButton(m_confirmBar)), m_cancel(new QPushButton(m_confirmBar)),
      m_diff(new DiffView(this)) {
    m_status->setObjectName(QStringLiteral("rolloutStatus"));
    m_banner->setObjectName(QStringLiteral("banner"));
    m_banner->setWordWrap(true);
    m_banner->setVisible(false);
    m_rollback->setObjectName(QStringLiteral("rollback"));
    m_confirm->setObjectName(QStringLiteral("confirmRollback"));
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_title->setFont(bold);

    auto* bars = new QGridLayout;
    for (int i = 0; i < 3; ++i) {
        auto* label = new QLabel(this);
        auto* bar = new QProgressBar(this);
        bar->setObjectName(QStringList{QStringLiteral("updated"), QStringLiteral("ready"),
                                       QStringLiteral("available")}
                               .at(i));
        bar->setTextVisible(true);
        bars->addWidget(label, 0, i * 2);
        bars->addWidget(bar, 0, i * 2 + 1);
        bars->setColumnStretch(i * 2 + 1, 1);
        m_barLabels.append(label);
        m_bars.append(bar);
    }

    m_list->setObjectName(QStringLiteral("revisions"));
    m_list->setRootIsDecorated(false);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setColumnCount(4);
    m_list->header()->setStretchLastSection(true);
    m_list->setAlternatingRowColors(true);

    auto* confirm = new QHBoxLayout(m_confirmBar);
    confirm->setContentsMargins(6, 4, 6, 4);
    confirm->addWidget(m_confirmText, 1);
    confirm->addWidget(m_confirm);
    confirm->addWidget(m_cancel);
    m_confirmBar->setStyleSheet(QStringLiteral("background: #fff8e1;"));
    m_confirmBar->setVisible(false);

    auto* top = new QWidget(this);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_list, 1);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_rollback);
    topLayout->addLayout(buttons);
    topLayout->addWidget(m_confirmBar);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(top);
    splitter->addWidget(m_diff);
    splitter->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_status);
    layout->addLayout(bars);
    layout->addWidget(m_banner);
    layout->addWidget(splitter, 1);

    connect(m_list, &QTreeWidget::itemSelectionChanged, this,
            &RolloutHistoryWidget::selectionChanged);
    connect(m_rollback, &QPushButton::clicked, this, [this] {
        const QList<QTreeWidgetItem*> selected = m_list->selectedItems();
        if (selected.size() == 1) {
            requestRollback(selected.first()->data(RevisionColumn, Qt::UserRole).toLongLong());
        }
    });
    connect(m_confirm, &QPushButton::clicked, this, &RolloutHistoryWidget::confirmRollback);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_pendingRollback = 0;
        m_confirmBar->setVisible(false);
    });
    retranslate();
    refresh();
}

void RolloutHistoryWidget::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QWidget::changeEvent(event);
}

void RolloutHistoryWidget::retranslate() {
    m_list->setHeaderLabels({tr("Revision"), tr("Created"), tr("Change cause"), tr("Images")});
    m_barLabels.at(0)->setText(tr("Updated"));
    m_barLabels.at(1)->setText(tr("Ready"));
    m_barLabels.at(2)->setText(tr("Available"));
    m_rollback->setText(tr("Roll back to this revision"));
    m_confirm->setText(tr("Roll back"));
    m_cancel->setText(tr("Cancel"));
    if (m_pendingRollback != 0) {
        m_confirmText->setText(tr("Roll %1 back to revision %2?")
                                   .arg(toQString(kube::name(m_workload)))
                                   .arg(m_pendingRollback));
    }
    if (m_bannerText) {
        m_banner->setText(m_bannerText());
    }
    refresh();
    selectionChanged();
}

void RolloutHistoryWidget::setWorkload(const json::object& workload) {
    const bool other = kube::uid(workload) != kube::uid(m_workload);
    m_workload = workload;
    if (other) {
        m_pendingRollback = 0;
        m_confirmBar->setVisible(false);
        m_banner->setVisible(false);
        m_bannerText = nullptr;
    }
    refresh();
}

void RolloutHistoryWidget::setWorkload(const QJsonObject& workload) {
    if (auto object = fromQJson(workload)) {
        setWorkload(*object);
    }
}

void RolloutHistoryWidget::setOwned(const QList<json::object>& objects) {
    m_owned = objects;
    refresh();
}

void RolloutHistoryWidget::upsertOwned(const json::object& object) {
    const std::string_view uid = kube::uid(object);
    for (json::object& existing : m_owned) {
        if (kube::uid(existing) == uid) {
            existing = object;
            refresh();
            return;
        }
    }
    m_owned.append(object);
    refresh();
}

void RolloutHistoryWidget::upsertOwned(const QJsonObject& object) {
    if (auto o = fromQJson(object)) {
        upsertOwned(*o);
    }
}

void RolloutHistoryWidget::removeOwned(const QString& uid) {
    const std::string id = toStdString(uid);
    m_owned.removeIf([&](const json::object& o) { return kube::uid(o) == id; });
    refresh();
}

QString RolloutHistoryWidget::statusText() const {
    return m_status->text();
}

QString RolloutHistoryWidget::bannerText() const {
    return m_banner->isVisible() ? m_banner->text() : QString();
}

void RolloutHistoryWidget::refresh() {
    const QString kind = toQString(kube::kind(m_workload));
    m_title->setText(
        m_workload.empty()
            ? tr("Rollout history")
            : tr("Rollout history of %1 %2").arg(kind, toQString(kube::name(m_workload))));
    m_progress = progressOf(m_workload);
    const int desired = m_progress.desired;
    const int values[] = {m_progress.updated, m_progress.ready, m_progress.available};
    for (int i = 0; i < 3; ++i) {
        m_bars.at(i)->setRange(0, qMax(desired, 1));
        m_bars.at(i)->setValue(qMin(values[i], qMax(desired, 1)));
        m_bars.at(i)->setFormat(tr("%1 of %2").arg(values[i]).arg(desired));
    }
    QString status;
    switch (m_progress.state) {
    case RolloutProgress::State::Waiting:
        status =
            m_workload.empty() ? QString() : tr("Waiting for the controller to see the change…");
        break;
    case RolloutProgress::State::Paused:
        status = tr("Paused: changes to the pod template are not rolled out until resumed");
        break;
    case RolloutProgress::State::Stalled:
        status = tr("Stalled: the rollout exceeded its progress deadline");
        break;
    case RolloutProgress::State::Complete:
        status = tr("Rolled out: %1 of %2 replicas updated and available")
                     .arg(m_progress.available)
                     .arg(desired);
        break;
    case RolloutProgress::State::Progressing:
        if (m_progress.updated < desired) {
            status = tr("Rolling out: %1 of %2 new replicas updated…")
                         .arg(m_progress.updated)
                         .arg(desired);
        } else if (m_progress.total > m_progress.updated) {
            status = tr("Rolling out: %1 old replicas are pending termination…")
                         .arg(m_progress.total - m_progress.updated);
        } else {
            status = tr("Rolling out: %1 of %2 updated replicas are available…")
                         .arg(m_progress.available)
                         .arg(m_progress.updated);
        }
        break;
    }
    m_status->setText(status);

    // Keep the selection (by revision number) across refreshes.
    QList<qint64> selected;
    for (QTreeWidgetItem* item : m_list->selectedItems()) {
        selected.append(item->data(RevisionColumn, Qt::UserRole).toLongLong());
    }
    const QList<Revision> before = m_revisions;
    m_revisions = revisionsOf(m_workload, m_owned);
    const QSignalBlocker block(m_list);
    m_list->clear();
    for (auto it = m_revisions.crbegin(); it != m_revisions.crend(); ++it) {
        const Revision& r = *it;
        auto* item = new QTreeWidgetItem(m_list);
        item->setData(RevisionColumn, Qt::UserRole, r.number);
        item->setText(RevisionColumn,
                      r.current ? tr("%1 (current)").arg(r.number) : QString::number(r.number));
        item->setText(CreatedColumn,
                      QLocale().toString(r.created.toLocalTime(), QLocale::ShortFormat));
        item->setText(CauseColumn, r.changeCause.isEmpty() ? tr("<none>") : r.changeCause);
        item->setText(ImagesColumn, r.images.join(QStringLiteral(", ")));
        item->setToolTip(ImagesColumn, r.images.join(QLatin1Char('\n')));
        if (r.current) {
            QFont font = item->font(0);
            font.setBold(true);
            for (int c = 0; c < 4; ++c) {
                item->setFont(c, font);
            }
        }
        item->setSelected(selected.contains(r.number));
    }
    for (int c = 0; c < 3; ++c) {
        m_list->resizeColumnToContents(c);
    }
    // Revision contents changed (a rollback renumbers): refresh the diff.
    bool same = before.size() == m_revisions.size();
    for (int i = 0; same && i < before.size(); ++i) {
        same = before.at(i).number == m_revisions.at(i).number &&
               before.at(i).current == m_revisions.at(i).current;
    }
    if (!same) {
        selectionChanged();
    }
}

void RolloutHistoryWidget::selectionChanged() {
    const QList<QTreeWidgetItem*> selected = m_list->selectedItems();
    const Revision* current = nullptr;
    for (const Revision& r : std::as_const(m_revisions)) {
        current = r.current ? &r : current;
    }
    m_rollback->setEnabled(selected.size() == 1 && m_applier != nullptr && current != nullptr &&
                           selected.first()->data(RevisionColumn, Qt::UserRole).toLongLong() !=
                               current->number);
    QList<qint64> numbers;
    for (QTreeWidgetItem* item : selected) {
        numbers.append(item->data(RevisionColumn, Qt::UserRole).toLongLong());
    }
    std::sort(numbers.begin(), numbers.end());
    if (numbers.size() >= 2) {
        compare(numbers.first(), numbers.last());
    } else if (numbers.size() == 1 && current != nullptr) {
        compare(qMin(numbers.first(), current->number), qMax(numbers.first(), current->number));
    } else if (current != nullptr) {
        // Nothing chosen: what the current revision changed against the previous one.
        qint64 previous = 0;
        for (const Revision& r : std::as_const(m_revisions)) {
            if (r.number < current->number) {
                previous = r.number;
            }
        }
        compare(previous != 0 ? previous : current->number, current->number);
    } else {
        m_diff->setTexts({}, {});
    }
}

void RolloutHistoryWidget::compare(qint64 older, qint64 newer) {
    const Revision* a = nullptr;
    const Revision* b = nullptr;
    for (const Revision& r : std::as_const(m_revisions)) {
        a = r.number == older ? &r : a;
        b = r.number == newer ? &r : b;
    }
    if (a == nullptr || b == nullptr) {
        return;
    }
    m_diff->setTitles(tr("Revision %1").arg(older), tr("Revision %1").arg(newer));
    m_diff->setTexts(templateYaml(*a), templateYaml(*b));
}

void RolloutHistoryWidget::showBanner(bool error, std::function<QString()> text) {
    m_bannerText = std::move(text);
    m_banner->setText(m_bannerText ? m_bannerText() : QString());
    m_banner->setVisible(static_cast<bool>(m_bannerText));
    m_banner->setStyleSheet(error ? QStringLiteral("background: #fdecea; color: #611a15; "
                                                   "padding: 6px;")
                                  : QStringLiteral("background: #e8f5e9; color: #1b5e20; "
                                                   "padding: 6px;"));
}

void RolloutHistoryWidget::requestRollback(qint64 revision) {
    m_pendingRollback = revision;
    m_confirmText->setText(
        tr("Roll %1 back to revision %2?").arg(toQString(kube::name(m_workload))).arg(revision));
    m_confirmBar->setVisible(true);
}

void RolloutHistoryWidget::confirmRollback() {
    const qint64 revision = m_pendingRollback;
    m_pendingRollback = 0;
    m_confirmBar->setVisible(false);
    if (revision == 0 || m_applier == nullptr) {
        return;
    }
    const auto request = rollbackTo(m_workload, m_owned, revision);
    if (!request) {
        switch (request.error()) {
        case RollbackRefusal::Paused:
            showBanner(true, [] {
                return tr("A paused rollout cannot be rolled back; resume it first.");
            });
            break;
        case RollbackRefusal::AlreadyCurrent:
            showBanner(false, [revision] {
                return tr("Nothing to do: the current template already matches revision %1.")
                    .arg(revision);
            });
            break;
        case RollbackRefusal::UnknownRevision:
            showBanner(true, [revision] { return tr("Revision %1 is gone.").arg(revision); });
            break;
        }
        return;
    }
    m_rollback->setEnabled(false);
    m_applier->patch(
        request->target, request->kind, request->body, this,
        [this, revision](const ObjectResult& result) {
            if (!result) {
                const QString message = result.error().message;
                showBanner(true, [message] { return tr("The rollback failed: %1").arg(message); });
                selectionChanged();
                Q_EMIT failed(result.error());
                return;
            }
            showBanner(false,
                       [revision] { return tr("Rolling back to revision %1.").arg(revision); });
            setWorkload(*result);
            Q_EMIT rolledBack(revision);
        });
}

} // namespace pilot::gui
