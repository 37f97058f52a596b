#pragma once

#include "gui/client/podlogstream.h"
#include "gui/models/clustersession.h"

#include <QPointer>
#include <QTextCursor>
#include <QTimer>
#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace pilot::gui {

/// The log of one pod: a container picker (init containers included and marked), the last lines
/// to load, Follow (new lines stream in and the view stays at the end unless the user scrolled
/// up), Previous instance (the container's terminated run), Timestamps, a search that highlights
/// every match with next/previous, and Save to a file. At most `maxLines()` lines are kept (the
/// oldest go first, and the status says so), so following a chatty container for hours costs
/// bounded memory. The stream starts when the view is first shown and stops with it.
class LogView : public QWidget {
    Q_OBJECT
public:
    LogView(ClusterSession* session, QString namespaceName, QString pod, QWidget* parent = nullptr);

    static constexpr int DefaultMaxLines = 50000;
    static constexpr int DefaultTailLines = 1000;

    void setMaxLines(int lines);
    [[nodiscard]] int maxLines() const { return m_maxLines; }

    [[nodiscard]] QComboBox* containerBox() const { return m_container; }
    [[nodiscard]] QCheckBox* followBox() const { return m_follow; }
    [[nodiscard]] QCheckBox* previousBox() const { return m_previous; }
    [[nodiscard]] QCheckBox* timestampsBox() const { return m_timestamps; }
    [[nodiscard]] QSpinBox* tailBox() const { return m_tail; }
    [[nodiscard]] QLineEdit* searchEdit() const { return m_search; }
    [[nodiscard]] QPushButton* nextButton() const { return m_next; }
    [[nodiscard]] QPushButton* previousMatchButton() const { return m_prev; }
    [[nodiscard]] QPushButton* saveButton() const { return m_save; }
    [[nodiscard]] QPlainTextEdit* textView() const { return m_text; }
    [[nodiscard]] QString statusText() const;
    /// The shown lines.
    [[nodiscard]] QStringList lines() const;
    /// The container whose log is shown.
    [[nodiscard]] QString container() const;
    [[nodiscard]] bool isStreaming() const { return m_stream && m_stream->isRunning(); }
    /// Matches of the search text, and the 0-based current one (-1 when none).
    [[nodiscard]] int matchCount() const { return int(m_matches.size()); }
    [[nodiscard]] int currentMatch() const { return m_current; }
    /// The line (0-based) of the current match, or -1.
    [[nodiscard]] int currentMatchLine() const;
    /// Whether the view shows the end of the log.
    [[nodiscard]] bool isAtEnd() const;

public Q_SLOTS:
    /// Loads the log again with the current choices.
    void reload();
    void findNext();
    void findPrevious();
    /// Writes the shown lines to `path`; false (and the status says why) when it cannot.
    bool saveTo(const QString& path);

Q_SIGNALS:
    /// Lines were added (after a batch is shown).
    void linesAppended(int count);
    /// The stream ended; `error` as PodLogStream::finished.
    void streamFinished(const QString& error);

protected:
    void changeEvent(QEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    void retranslate();
    void updateContainers();
    void appendLines(const QStringList& lines);
    void onFinished(const QString& error);
    void highlight();
    void showCurrentMatch();
    void setStatus(std::function<QString()> text, bool error = false);
    /// "Showing the last N lines; M older dropped." for the current counts.
    [[nodiscard]] std::function<QString()> droppedText() const;
    void askSaveFile();

    QPointer<ClusterSession> m_session;
    QString m_namespace;
    QString m_pod;
    int m_maxLines = DefaultMaxLines;
    qint64 m_received = 0; ///< Lines received since the last reload.
    bool m_started = false;
    PodLogStream* m_stream = nullptr;
    QStringList m_containerNames;
    QObject* m_fetchContext = nullptr;

    QComboBox* m_container = nullptr;
    QLabel* m_containerLabel = nullptr;
    QLabel* m_tailLabel = nullptr;
    QSpinBox* m_tail = nullptr;
    QCheckBox* m_follow = nullptr;
    QCheckBox* m_previous = nullptr;
    QCheckBox* m_timestamps = nullptr;
    QLineEdit* m_search = nullptr;
    QPushButton* m_prev = nullptr;
    QPushButton* m_next = nullptr;
    QLabel* m_matchLabel = nullptr;
    QPushButton* m_save = nullptr;
    QPlainTextEdit* m_text = nullptr;
    QLabel* m_status = nullptr;
    std::function<QString()> m_statusText;
    bool m_statusError = false;

    QTimer m_highlightTimer;
    QList<QTextCursor> m_matches;
    int m_current = -1;
};

} // namespace pilot::gui
