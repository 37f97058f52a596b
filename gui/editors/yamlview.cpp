#include "gui/editors/yamlview.h"

#include "gui/editors/objectdocument.h"
#include "gui/editors/yamleditor.h"
#include "gui/editors/yamllocator.h"
#include "kube/jsonutil.h"
#include "kube/yaml.h"

#include <QEvent>
#include <QLabel>
#include <QListWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace pilot::gui {

namespace json = boost::json;

namespace {

constexpr int ReparseDelayMs = 300;

QString renderYaml(const json::object& object) {
    if (object.empty()) {
        return {};
    }
    return QString::fromStdString(kube::toYaml(object));
}

} // namespace

YamlView::YamlView(ObjectDocument* document, QWidget* parent)
    : QWidget(parent), m_document(document), m_editor(new YamlEditor(this)),
      m_problemsLabel(new QLabel(this)), m_problems(new QListWidget(this)),
      m_reparse(new QTimer(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_editor, 1);
    layout->addWidget(m_problemsLabel);
    layout->addWidget(m_problems);
    m_problems->setObjectName(QStringLiteral("problems"));
    m_problemsLabel->setVisible(false);
    m_problems->setVisible(false);
    m_reparse->setSingleShot(true);
    m_reparse->setInterval(ReparseDelayMs);
    connect(m_reparse, &QTimer::timeout, this, &YamlView::reparse);
    connect(m_editor, &QPlainTextEdit::textChanged, this, &YamlView::textEdited);
    connect(m_document, &ObjectDocument::changed, this, &YamlView::documentChanged);
    connect(m_problems, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        m_editor->goToLine(item->data(Qt::UserRole).toInt());
    });
    connect(m_problems, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        m_editor->goToLine(item->data(Qt::UserRole).toInt());
    });
    retranslate();
    documentChanged(nullptr);
}

void YamlView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
    }
    QWidget::changeEvent(event);
}

void YamlView::retranslate() {
    m_problemsLabel->setText(tr("Problems"));
    m_editor->setPlaceholderText(
        QStringLiteral("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: example"));
    refreshDiagnostics();
}

QList<YamlDiagnostic> YamlView::diagnostics() const {
    return m_editor->diagnostics();
}

void YamlView::documentChanged(QObject* origin) {
    if (origin == this) {
        return;
    }
    m_reparse->stop();
    m_rendering = true;
    m_editor->replaceText(renderYaml(m_document->object()));
    m_rendering = false;
    m_localDiagnostics.clear();
    m_document->setTextValid(true);
    refreshDiagnostics();
}

void YamlView::textEdited() {
    if (m_rendering) {
        return;
    }
    m_reparse->start();
}

void YamlView::flush() {
    if (m_reparse->isActive()) {
        m_reparse->stop();
        reparse();
    }
}

void YamlView::reparse() {
    const QString text = m_editor->toPlainText();
    m_localDiagnostics.clear();
    auto parsed = kube::parseYaml(text.toStdString());
    if (!parsed) {
        m_localDiagnostics.append(
            parseErrorDiagnostic(QString::fromStdString(parsed.error().message)));
        m_document->setTextValid(false);
        refreshDiagnostics();
        return;
    }
    m_localDiagnostics = objectDiagnostics(text, *parsed);
    if (parsed->is_object()) {
        m_document->setTextValid(true);
        m_document->setObject(parsed->as_object(), this);
    } else {
        m_document->setTextValid(false);
    }
    refreshDiagnostics();
}

void YamlView::showServerError(const StatusError& error) {
    flush();
    m_serverProblems.clear();
    m_serverMessage.clear();
    const QList<StatusCause> causes = error.fieldCauses();
    for (const StatusCause& cause : causes) {
        ServerProblem problem;
        problem.cause = cause;
        if (const json::value* v = m_document->value(FieldPath::parse(cause.field))) {
            problem.valueThen = *v;
            problem.hadValue = true;
        }
        m_serverProblems.append(problem);
    }
    if (causes.isEmpty()) {
        m_serverMessage = error.message;
    }
    refreshDiagnostics();
}

void YamlView::clearServerError() {
    m_serverProblems.clear();
    m_serverMessage.clear();
    refreshDiagnostics();
}

void YamlView::refreshDiagnostics() {
    const QString text = m_editor->toPlainText();
    QList<YamlDiagnostic> all = m_localDiagnostics;
    // An API error is dropped once the user changed the value it was about.
    QList<ServerProblem> kept;
    for (const ServerProblem& problem : m_serverProblems) {
        const json::value* now = m_document->value(FieldPath::parse(problem.cause.field));
        const bool same =
            problem.hadValue ? (now && kube::jsonEqual(*now, problem.valueThen)) : now == nullptr;
        if (!same && m_document->isTextValid()) {
            continue;
        }
        kept.append(problem);
        YamlDiagnostic d;
        d.source = YamlDiagnostic::Source::Server;
        d.field = problem.cause.field;
        d.message = problem.cause.message.isEmpty() ? problem.cause.reason : problem.cause.message;
        d.line = locateField(text, FieldPath::parse(problem.cause.field)).line;
        all.append(d);
    }
    m_serverProblems = kept;
    if (!m_serverMessage.isEmpty()) {
        YamlDiagnostic d;
        d.source = YamlDiagnostic::Source::Server;
        d.message = m_serverMessage;
        all.append(d);
    }
    m_editor->setDiagnostics(all);
    m_problems->clear();
    for (const YamlDiagnostic& d : all) {
        QString entry = d.field.isEmpty() ? d.message : d.field + QStringLiteral(": ") + d.message;
        if (d.line > 0) {
            entry = tr("Line %1: %2").arg(d.line).arg(entry);
        }
        auto* item = new QListWidgetItem(entry, m_problems);
        item->setData(Qt::UserRole, d.line);
        item->setForeground(QColor(0xb7, 0x1c, 0x1c));
    }
    if (!all.isEmpty()) {
        const int rows = qMin(int(all.size()), 5);
        m_problems->setFixedHeight(rows * m_problems->sizeHintForRow(0) +
                                   2 * m_problems->frameWidth() + 4);
    }
    m_problemsLabel->setVisible(!all.isEmpty());
    m_problems->setVisible(!all.isEmpty());
    Q_EMIT diagnosticsChanged();
}

} // namespace pilot::gui
