#include "gui/views/logview.h"

#include "gui/models/modelutil.h"
#include "gui/models/podmodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSpinBox>
#include <QTextBlock>
#include <QTextDocument>
#include <QVBoxLayout>

namespace pilot::gui {

namespace {

/// Highlighting stops here: beyond it nobody reads the colours, and it keeps a search cheap.
constexpr int MaxHighlightedMatches = 5000;
constexpr int HighlightDelayMs = 150;

const QColor MatchColor(0xff, 0xf1, 0x76);
const QColor CurrentMatchColor(0xff, 0xa7, 0x26);

} // namespace

LogView::LogView(ClusterSession* session, QString namespaceName, QString pod, QWidget* parent)
    : QWidget(parent), m_session(session), m_namespace(std::move(namespaceName)),
      m_pod(std::move(pod)) {
    setObjectName(QStringLiteral("logView"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    auto* options = new QHBoxLayout;
    m_containerLabel = new QLabel(this);
    m_container = new QComboBox(this);
    m_container->setObjectName(QStringLiteral("logContainer"));
    m_container->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_containerLabel->setBuddy(m_container);
    m_tailLabel = new QLabel(this);
    m_tail = new QSpinBox(this);
    m_tail->setObjectName(QStringLiteral("logTail"));
    m_tail->setRange(0, 1000000);
    m_tail->setValue(DefaultTailLines);
    m_tail->setSingleStep(100);
    m_tailLabel->setBuddy(m_tail);
    m_follow = new QCheckBox(this);
    m_follow->setObjectName(QStringLiteral("logFollow"));
    m_follow->setChecked(true);
    m_previous = new QCheckBox(this);
    m_previous->setObjectName(QStringLiteral("logPrevious"));
    m_timestamps = new QCheckBox(this);
    m_timestamps->setObjectName(QStringLiteral("logTimestamps"));
    m_save = new QPushButton(this);
    m_save->setObjectName(QStringLiteral("logSave"));
    options->addWidget(m_containerLabel);
    options->addWidget(m_container);
    options->addSpacing(8);
    options->addWidget(m_tailLabel);
    options->addWidget(m_tail);
    options->addSpacing(8);
    options->addWidget(m_follow);
    options->addWidget(m_previous);
    options->addWidget(m_timestamps);
    options->addStretch(1);
    options->addWidget(m_save);
    layout->addLayout(options);

    auto* search = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("logSearch"));
    m_search->setClearButtonEnabled(true);
    m_prev = new QPushButton(this);
    m_prev->setObjectName(QStringLiteral("logFindPrevious"));
    m_next = new QPushButton(this);
    m_next->setObjectName(QStringLiteral("logFindNext"));
    m_matchLabel = new QLabel(this);
    m_matchLabel->setObjectName(QStringLiteral("logMatches"));
    search->addWidget(m_search, 1);
    search->addWidget(m_prev);
    search->addWidget(m_next);
    search->addWidget(m_matchLabel);
    layout->addLayout(search);

    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("logText"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setMaximumBlockCount(m_maxLines);
    m_text->setUndoRedoEnabled(false);
    layout->addWidget(m_text, 1);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("logStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    m_highlightTimer.setSingleShot(true);
    m_highlightTimer.setInterval(HighlightDelayMs);
    connect(&m_highlightTimer, &QTimer::timeout, this, &LogView::highlight);
    connect(m_search, &QLineEdit::textChanged, this, [this] {
        m_current = -1;
        m_highlightTimer.start();
    });
    connect(m_search, &QLineEdit::returnPressed, this, &LogView::findNext);
    connect(m_next, &QPushButton::clicked, this, &LogView::findNext);
    connect(m_prev, &QPushButton::clicked, this, &LogView::findPrevious);
    connect(m_save, &QPushButton::clicked, this, &LogView::askSaveFile);
    connect(m_container, &QComboBox::activated, this, &LogView::reload);
    connect(m_timestamps, &QCheckBox::toggled, this, &LogView::reload);
    connect(m_tail, &QSpinBox::editingFinished, this, [this] {
        // editingFinished also comes with a focus change; only a new number reloads.
        const int tail = m_tail->value() > 0 ? m_tail->value() : -1;
        if (!m_stream || m_stream->options().tailLines != tail) {
            reload();
        }
    });
    connect(m_previous, &QCheckBox::toggled, this, [this](bool previous) {
        // A terminated instance writes nothing more: there is nothing to follow.
        m_follow->setEnabled(!previous);
        reload();
    });
    connect(m_follow, &QCheckBox::toggled, this, [this](bool follow) {
        reload();
        if (follow) {
            m_text->verticalScrollBar()->setValue(m_text->verticalScrollBar()->maximum());
        }
    });
    if (m_session) {
        connect(m_session->pods(), &ResourceModel::contentChanged, this,
                &LogView::updateContainers);
    }
    retranslate();
    updateContainers();
}

void LogView::setMaxLines(int lines) {
    m_maxLines = lines;
    m_text->setMaximumBlockCount(lines);
}

QString LogView::statusText() const {
    return m_status->text();
}

QStringList LogView::lines() const {
    QString text = m_text->toPlainText();
    return text.isEmpty() ? QStringList() : text.split(QLatin1Char('\n'));
}

QString LogView::container() const {
    return m_container->currentData().toString();
}

int LogView::currentMatchLine() const {
    if (m_current < 0 || m_current >= m_matches.size()) {
        return -1;
    }
    return m_matches.at(m_current).block().blockNumber();
}

bool LogView::isAtEnd() const {
    QScrollBar* bar = m_text->verticalScrollBar();
    return bar->value() >= bar->maximum() - 1;
}

void LogView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QWidget::changeEvent(event);
}

void LogView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (!m_started && m_container->count() > 0) {
        reload();
    }
}

void LogView::retranslate() {
    m_containerLabel->setText(tr("Container:"));
    m_tailLabel->setText(tr("Last lines:"));
    m_tail->setSpecialValueText(tr("all"));
    m_follow->setText(tr("Follow"));
    m_follow->setToolTip(tr("Stream new lines as the container writes them"));
    m_previous->setText(tr("Previous instance"));
    m_previous->setToolTip(tr("The log of the container's last terminated run"));
    m_timestamps->setText(tr("Timestamps"));
    m_search->setPlaceholderText(tr("Search the log"));
    m_prev->setText(tr("Previous"));
    m_next->setText(tr("Next"));
    m_save->setText(tr("Save…"));
    for (int i = 0; i < m_container->count(); ++i) {
        const QString name = m_container->itemData(i).toString();
        m_container->setItemText(i, m_container->itemData(i, Qt::UserRole + 1).toBool()
                                        ? tr("%1 (init)").arg(name)
                                        : name);
    }
    if (m_statusText) {
        m_status->setText(m_statusText());
    }
    highlight();
}

void LogView::updateContainers() {
    if (!m_session) {
        return;
    }
    RecordPtr record = m_session->pods()->recordByKey(m_namespace + QLatin1Char('/') + m_pod);
    if (!record) {
        return;
    }
    QJsonObject pod = record->json();
    QStringList names;
    QList<bool> init;
    for (const QJsonValue& value : jsonAt(pod, u"spec.initContainers").toArray()) {
        names << value.toObject().value(QLatin1String("name")).toString();
        init << true;
    }
    for (const QJsonValue& value : jsonAt(pod, u"spec.containers").toArray()) {
        names << value.toObject().value(QLatin1String("name")).toString();
        init << false;
    }
    if (names == m_containerNames) {
        return;
    }
    m_containerNames = names;
    QString current = container();
    if (current.isEmpty()) {
        // kubectl's choice: the annotated default, else the first app container.
        current = jsonAt(pod, u"metadata.annotations")
                      .toObject()
                      .value(QLatin1String("kubectl.kubernetes.io/default-container"))
                      .toString();
        if (!names.contains(current)) {
            current = init.contains(false) ? names.at(int(init.indexOf(false))) : QString();
        }
    }
    m_container->clear();
    for (int i = 0; i < names.size(); ++i) {
        m_container->addItem(init.at(i) ? tr("%1 (init)").arg(names.at(i)) : names.at(i),
                             names.at(i));
        m_container->setItemData(i, init.at(i), Qt::UserRole + 1);
    }
    m_container->setCurrentIndex(std::max(0, int(names.indexOf(current))));
    if (!m_started && isVisible()) {
        reload();
    }
}

void LogView::reload() {
    if (!m_session || m_container->count() == 0) {
        return;
    }
    m_started = true;
    if (m_stream) {
        // Possibly called from one of its signals: stop it now, delete it later.
        m_stream->disconnect(this);
        m_stream->stop();
        m_stream->deleteLater();
        m_stream = nullptr;
    }
    m_text->clear();
    m_received = 0;
    m_matches.clear();
    m_current = -1;
    PodLogOptions options;
    options.container = container();
    options.previous = m_previous->isChecked();
    options.follow = m_follow->isChecked() && !options.previous;
    options.timestamps = m_timestamps->isChecked();
    options.tailLines = m_tail->value() > 0 ? m_tail->value() : -1;
    m_stream = new PodLogStream(m_session->client(), m_namespace, m_pod, options, this);
    connect(m_stream, &PodLogStream::linesReceived, this, &LogView::appendLines);
    connect(m_stream, &PodLogStream::finished, this, &LogView::onFinished);
    const QString name = options.container;
    if (options.follow) {
        setStatus([name] { return tr("Following the log of %1…").arg(name); });
    } else {
        setStatus([name] { return tr("Loading the log of %1…").arg(name); });
    }
    m_stream->start();
    highlight();
}

void LogView::appendLines(const QStringList& lines) {
    const bool stick = m_follow->isChecked() && m_follow->isEnabled() && isAtEnd();
    m_text->appendPlainText(lines.join(QLatin1Char('\n')));
    m_received += lines.size();
    if (stick) {
        m_text->verticalScrollBar()->setValue(m_text->verticalScrollBar()->maximum());
    }
    if (!m_search->text().isEmpty()) {
        if (!m_highlightTimer.isActive()) {
            m_highlightTimer.start();
        }
    }
    if (m_received > m_maxLines && isStreaming()) {
        const QString name = container();
        const auto dropped = droppedText();
        setStatus([name, dropped] {
            return tr("Following the log of %1…").arg(name) + QLatin1Char(' ') + dropped();
        });
    }
    Q_EMIT linesAppended(int(lines.size()));
}

void LogView::onFinished(const QString& error) {
    const bool followed = m_stream && m_stream->options().follow;
    const QString name = container();
    if (!error.isEmpty()) {
        setStatus([error] { return error; }, true);
    } else if (followed) {
        setStatus([name] { return tr("The log of %1 ended: the container stopped.").arg(name); });
    } else if (m_received > m_maxLines) {
        setStatus(droppedText());
    } else {
        const qint64 count = m_received;
        setStatus([count] { return tr("%n line(s).", nullptr, int(count)); });
    }
    Q_EMIT streamFinished(error);
}

std::function<QString()> LogView::droppedText() const {
    const int kept = m_maxLines;
    const qint64 dropped = m_received - m_maxLines;
    return [kept, dropped] {
        return tr("Showing the last %n line(s); %1 older dropped.", nullptr, kept).arg(dropped);
    };
}

void LogView::setStatus(std::function<QString()> text, bool error) {
    m_statusText = std::move(text);
    m_statusError = error;
    m_status->setText(m_statusText ? m_statusText() : QString());
    m_status->setStyleSheet(error ? QStringLiteral("QLabel { color: #c62828; }") : QString());
}

void LogView::highlight() {
    m_highlightTimer.stop();
    const QString needle = m_search->text();
    m_matches.clear();
    QList<QTextEdit::ExtraSelection> selections;
    if (!needle.isEmpty()) {
        QTextDocument* document = m_text->document();
        QTextCursor cursor(document);
        while (m_matches.size() < MaxHighlightedMatches) {
            cursor = document->find(needle, cursor);
            if (cursor.isNull()) {
                break;
            }
            m_matches.append(cursor);
        }
    }
    if (m_current >= m_matches.size()) {
        m_current = m_matches.isEmpty() ? -1 : int(m_matches.size()) - 1;
    }
    for (int i = 0; i < m_matches.size(); ++i) {
        QTextEdit::ExtraSelection selection;
        selection.cursor = m_matches.at(i);
        selection.format.setBackground(i == m_current ? CurrentMatchColor : MatchColor);
        selections.append(selection);
    }
    m_text->setExtraSelections(selections);
    if (needle.isEmpty()) {
        m_matchLabel->clear();
    } else if (m_matches.isEmpty()) {
        m_matchLabel->setText(tr("No matches"));
    } else if (m_current < 0) {
        m_matchLabel->setText(tr("%n match(es)", nullptr, int(m_matches.size())));
    } else {
        m_matchLabel->setText(tr("%1 of %2").arg(m_current + 1).arg(m_matches.size()));
    }
    m_next->setEnabled(!m_matches.isEmpty());
    m_prev->setEnabled(!m_matches.isEmpty());
}

void LogView::findNext() {
    if (m_highlightTimer.isActive() || m_matches.isEmpty()) {
        highlight();
    }
    if (m_matches.isEmpty()) {
        return;
    }
    if (m_current < 0) {
        // The first match at or after the cursor.
        const int position = m_text->textCursor().position();
        m_current = 0;
        for (int i = 0; i < m_matches.size(); ++i) {
            if (m_matches.at(i).selectionStart() >= position) {
                m_current = i;
                break;
            }
        }
    } else {
        m_current = (m_current + 1) % int(m_matches.size());
    }
    showCurrentMatch();
}

void LogView::findPrevious() {
    if (m_highlightTimer.isActive() || m_matches.isEmpty()) {
        highlight();
    }
    if (m_matches.isEmpty()) {
        return;
    }
    m_current = m_current <= 0 ? int(m_matches.size()) - 1 : m_current - 1;
    showCurrentMatch();
}

void LogView::showCurrentMatch() {
    QTextCursor cursor = m_matches.at(m_current);
    m_text->setTextCursor(cursor);
    m_text->ensureCursorVisible();
    highlight();
}

void LogView::askSaveFile() {
    auto* dialog = new QFileDialog(this, tr("Save log"), QDir::homePath());
    dialog->setObjectName(QStringLiteral("saveLogDialog"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setOption(QFileDialog::DontUseNativeDialog);
    dialog->selectFile(m_pod + QLatin1Char('-') + container() + QStringLiteral(".log"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this,
            [this](const QString& path) { (void)saveTo(path); });
    dialog->open();
}

bool LogView::saveTo(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        const QString reason = file.errorString();
        setStatus([path, reason] { return tr("Cannot save %1: %2").arg(path, reason); }, true);
        return false;
    }
    QByteArray text = m_text->toPlainText().toUtf8();
    if (!text.isEmpty()) {
        text += '\n';
    }
    if (file.write(text) != text.size() || !file.flush()) {
        const QString reason = file.errorString();
        setStatus([path, reason] { return tr("Cannot save %1: %2").arg(path, reason); }, true);
        return false;
    }
    const int count = m_text->document()->blockCount() - (text.isEmpty() ? 1 : 0);
    setStatus([path, count] { return tr("Saved %n line(s) to %1.", nullptr, count).arg(path); });
    return true;
}

} // namespace pilot::gui
