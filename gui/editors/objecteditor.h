#pragma once

#include "gui/editors/objectapplier.h"

#include <boost/json/object.hpp>

#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QWidget>

#include <functional>
#include <optional>

class QLabel;
class QPushButton;
class QScrollArea;
class QTabWidget;

namespace pilot::gui {

class DiffView;
class KindForm;
class ObjectDocument;
class YamlView;

/// Creates or edits one object: a Form tab (for the kinds formfactory.h knows), a YAML tab and a
/// Preview tab, all over one ObjectDocument so edits in either place show in the other.
/// "Preview" asks the server for a dry run and shows the live object against the result;
/// "Create"/"Apply" first shows that same diff and applies after "Apply changes" is pressed.
/// When editing, what the user changed since the object was loaded is merged onto the object as
/// it is when previewing (as `kubectl edit` sends a patch), so changes others made meanwhile
/// stay; objects are sent without resourceVersion. Errors are shown in a banner, and an API error's
/// field causes at their YAML lines. Talks to the API only through the ObjectApplier, which must
/// outlive the editor.
class ObjectEditor : public QWidget {
    Q_OBJECT
public:
    explicit ObjectEditor(ObjectApplier* applier, QWidget* parent = nullptr);

    /// Starts a new object of `kind` in `namespaceName`.
    void createNew(const QString& kind, const QString& namespaceName);
    /// Edits a live object as the API returned it (managedFields are dropped).
    void editObject(const boost::json::object& object);
    void editObject(const QJsonObject& object);

    [[nodiscard]] ObjectDocument* document() const { return m_document; }
    /// The form of the object's kind, or nullptr for kinds without one.
    [[nodiscard]] KindForm* form() const { return m_form; }
    [[nodiscard]] YamlView* yamlView() const { return m_yaml; }
    [[nodiscard]] DiffView* diffView() const { return m_diff; }
    [[nodiscard]] QTabWidget* tabs() const { return m_tabs; }
    [[nodiscard]] QPushButton* previewButton() const { return m_previewButton; }
    [[nodiscard]] QPushButton* applyButton() const { return m_applyButton; }
    [[nodiscard]] QPushButton* confirmButton() const { return m_confirmButton; }
    [[nodiscard]] QString bannerText() const;
    [[nodiscard]] bool isBusy() const { return m_busy; }
    [[nodiscard]] bool isCreating() const { return m_creating; }

    enum Tab { FormTab, YamlTab, PreviewTab };

public Q_SLOTS:
    /// Server dry run of the object (and its companions), shown as a diff against the live state.
    void preview();
    /// Preview, then wait for "Apply changes".
    void apply();
    /// Applies what the last preview showed.
    void confirmApply();
    void cancelApply();

Q_SIGNALS:
    void previewReady();
    /// The objects were created or updated; `stored` as the server returned them.
    void applied(const QList<boost::json::object>& stored);
    void failed(const pilot::gui::StatusError& error);
    void busyChanged(bool busy);

protected:
    void changeEvent(QEvent* event) override;

private:
    enum class Banner { None, Info, Error };
    void retranslate();
    void setForm(KindForm* form);
    void setBusy(bool busy);
    void showBanner(Banner kind, std::function<QString()> text);
    void showError(const StatusError& error, int objectIndex);
    /// The objects to send, or an empty list (and a banner) when the input is not valid.
    [[nodiscard]] QList<boost::json::object> collect();
    void runPreview(bool thenConfirm);
    void previewFinished(bool thenConfirm);
    void applyNext();
    [[nodiscard]] boost::json::object mergedOntoLive(int index,
                                                     const boost::json::object& live) const;
    void updateButtons();

    ObjectApplier* m_applier;
    ObjectDocument* m_document;
    KindForm* m_form = nullptr;
    QScrollArea* m_formArea;
    YamlView* m_yaml;
    DiffView* m_diff;
    QTabWidget* m_tabs;
    QLabel* m_banner;
    QWidget* m_confirmBar;
    QLabel* m_confirmText;
    QPushButton* m_confirmButton;
    QPushButton* m_cancelButton;
    QPushButton* m_previewButton;
    QPushButton* m_applyButton;
    bool m_creating = true;
    bool m_busy = false;

    // One preview or apply at a time; `m_run` makes callbacks of an older run no-ops.
    int m_run = 0;
    int m_outstanding = 0;
    QList<boost::json::object> m_objects;
    QList<std::optional<boost::json::object>> m_live;
    QList<std::optional<boost::json::object>> m_dryRun;
    std::optional<std::pair<StatusError, int>> m_error;
    QList<boost::json::object> m_stored;
    boost::json::object m_loaded; ///< the live object as editObject received it
    Banner m_bannerKind = Banner::None;
    std::function<QString()> m_bannerText;
};

} // namespace pilot::gui
