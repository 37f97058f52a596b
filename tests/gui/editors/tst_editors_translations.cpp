// Every string of gui/editors and gui/rollout has a Simplified Chinese translation, and switching
// the language changes the open editors without a restart.
#include "gui/editors/containersection.h"
#include "gui/editors/deploymentform.h"
#include "gui/editors/diffview.h"
#include "gui/editors/formfactory.h"
#include "gui/editors/ingressform.h"
#include "gui/editors/kindform.h"
#include "gui/editors/objecteditor.h"
#include "gui/editors/podtemplatesection.h"
#include "gui/editors/recordlist.h"
#include "gui/editors/yamleditor.h"
#include "gui/editors/yamlview.h"
#include "gui/rollout/rollouthistorywidget.h"
#include "kube/yaml.h"
#include "tests/gui/editors/guitestutil.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSet>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QXmlStreamReader>

using namespace pilot::gui;
using pilot::gui::test::click;
using pilot::gui::test::saveScreenshot;
namespace json = boost::json;

namespace {

struct Message {
    QString context;
    QString source;
    QString translation;
    bool finished = false;
};

QList<Message> readTs(const QString& path) {
    QList<Message> out;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return out;
    }
    QXmlStreamReader xml(&file);
    QString context;
    Message current;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement()) {
            continue;
        }
        if (xml.name() == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (xml.name() == QLatin1String("message")) {
            current = Message{context, {}, {}, false};
        } else if (xml.name() == QLatin1String("source")) {
            current.source = xml.readElementText();
        } else if (xml.name() == QLatin1String("translation")) {
            const QString type = xml.attributes().value(QLatin1String("type")).toString();
            current.translation = xml.readElementText();
            current.finished = type.isEmpty() && !current.translation.isEmpty();
            out.append(current);
        }
    }
    return out;
}

/// Looks up every string in the real translator and remembers what it did not know.
class RecordingTranslator : public QTranslator {
public:
    bool load(const QString& path) { return m_real.load(path); }
    QString translate(const char* context, const char* source, const char* disambiguation,
                      int n) const override {
        const QString result = m_real.translate(context, source, disambiguation, n);
        if (result.isEmpty() && QByteArray(context).startsWith("pilot::gui::")) {
            misses.insert(QString::fromUtf8(context) + QStringLiteral(" / ") +
                          QString::fromUtf8(source));
        }
        return result;
    }
    bool isEmpty() const override { return m_real.isEmpty(); }

    mutable QSet<QString> misses;

private:
    QTranslator m_real;
};

void typeInto(QLineEdit* edit, const QString& text) {
    edit->setFocus();
    edit->selectAll();
    QTest::keyClicks(edit, text);
}

/// Opens every screen and state of the editors the test can reach without a server.
void exercise(QWidget* parent) {
    for (const QString& kind : formKinds()) {
        auto* editor = new ObjectEditor(nullptr, parent);
        editor->show();
        editor->createNew(kind, QStringLiteral("default"));
        KindForm* form = editor->form();
        // Add one row to every list, show every choice of every combo box.
        for (RecordList* list : form->findChildren<RecordList*>()) {
            list->addItem();
        }
        for (RecordList* list : form->findChildren<RecordList*>()) {
            if (list->count() == 0) {
                list->addItem();
            }
        }
        for (QComboBox* combo : form->findChildren<QComboBox*>()) {
            for (int i = 0; i < combo->count(); ++i) {
                combo->setCurrentIndex(i);
                Q_EMIT combo->activated(i);
            }
        }
        typeInto(form->nameEdit(), QStringLiteral("Bad_Name"));
        for (QLineEdit* edit : form->findChildren<QLineEdit*>()) {
            if (edit->objectName().contains(QStringLiteral("Port")) ||
                edit->objectName() == QStringLiteral("storage")) {
                typeInto(edit, QStringLiteral("x y"));
            }
        }
        editor->preview();
        editor->tabs()->setCurrentIndex(ObjectEditor::YamlTab);
        editor->preview();
    }
    auto* yaml = new ObjectEditor(nullptr, parent);
    yaml->show();
    yaml->createNew(QStringLiteral("Deployment"), QStringLiteral("default"));
    yaml->yamlView()->editor()->setPlainText(QStringLiteral("a: [\n"));
    yaml->yamlView()->flush();
    yaml->preview();
    yaml->yamlView()->editor()->setPlainText(QStringLiteral("- 1\n"));
    yaml->yamlView()->flush();
    auto* diff = new DiffView(parent);
    diff->setTexts(QStringLiteral("a\n"), QStringLiteral("b\n"));
    diff->setTexts(QStringLiteral("a\n"), QStringLiteral("a\n"));

    auto* rollout = new RolloutHistoryWidget(nullptr, parent);
    auto parsed = pilot::kube::parseYaml(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, uid: d1, generation: 2,
           annotations: {deployment.kubernetes.io/revision: "2"}}
spec: {replicas: 2, paused: true, template: {spec: {containers: [{name: c, image: b}]}}}
status: {observedGeneration: 2, replicas: 2, updatedReplicas: 1}
)");
    auto rs = [](int revision, const char* image) {
        return json::object{
            {"apiVersion", "apps/v1"},
            {"kind", "ReplicaSet"},
            {"metadata",
             json::object{{"name", "web-" + std::to_string(revision)},
                          {"uid", "r" + std::to_string(revision)},
                          {"annotations", json::object{{"deployment.kubernetes.io/revision",
                                                        std::to_string(revision)}}},
                          {"ownerReferences",
                           json::array{json::object{{"uid", "d1"}, {"controller", true}}}}}},
            {"spec",
             json::object{
                 {"template",
                  json::object{{"spec", json::object{{"containers",
                                                      json::array{json::object{
                                                          {"name", "c"}, {"image", image}}}}}}}}}}};
    };
    rollout->setWorkload(parsed->as_object());
    rollout->setOwned({rs(1, "a"), rs(2, "b")});
    rollout->requestRollback(1);
    json::object progressing = parsed->as_object();
    progressing["spec"].as_object().erase("paused");
    rollout->setWorkload(progressing);
    json::object stalled = progressing;
    stalled["status"].as_object()["conditions"] =
        json::array{json::object{{"type", "Progressing"}, {"reason", "ProgressDeadlineExceeded"}}};
    rollout->setWorkload(stalled);
}

} // namespace

class TestEditorTranslations : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everySourceStringIsTranslated() {
        // What lupdate finds in the sources now, against the committed translations.
        QTemporaryDir dir;
        const QString fresh = dir.filePath(QStringLiteral("fresh.ts"));
        const QString source = QStringLiteral(PILOT_SOURCE_DIR);
        QProcess lupdate;
        lupdate.start(QStringLiteral(PILOT_LUPDATE),
                      {QStringLiteral("-silent"), QStringLiteral("-I"), source,
                       source + QStringLiteral("/gui/editors"),
                       source + QStringLiteral("/gui/rollout"), QStringLiteral("-ts"), fresh});
        QVERIFY(lupdate.waitForFinished(60000));
        QCOMPARE(lupdate.exitCode(), 0);
        const QList<Message> found = readTs(fresh);
        QVERIFY(found.size() > 200);
        QHash<QString, Message> committed;
        for (const Message& m : readTs(source + QStringLiteral("/i18n/editors_zh_CN.ts"))) {
            committed.insert(m.context + QLatin1Char('\n') + m.source, m);
        }
        QStringList missing;
        for (const Message& m : found) {
            QVERIFY2(m.context.startsWith(QStringLiteral("pilot::gui::")),
                     qPrintable(QStringLiteral("unqualified context ") + m.context));
            const auto it = committed.constFind(m.context + QLatin1Char('\n') + m.source);
            if (it == committed.constEnd() || !it->finished) {
                missing.append(m.context + QStringLiteral(": ") + m.source);
            }
        }
        QVERIFY2(missing.isEmpty(),
                 qPrintable(QStringLiteral("no zh_CN translation in i18n/editors_zh_CN.ts for:\n") +
                            missing.join(QLatin1Char('\n'))));
    }

    void everyStringShownIsTranslated() {
        RecordingTranslator translator;
        QVERIFY(translator.load(QStringLiteral(PILOT_EDITORS_QM)));
        QVERIFY(QCoreApplication::installTranslator(&translator));
        QWidget parent;
        exercise(&parent);
        QCoreApplication::removeTranslator(&translator);
        QVERIFY2(translator.misses.isEmpty(),
                 qPrintable(QStringList(translator.misses.values()).join(QLatin1Char('\n'))));
    }

    void switchingLanguageNeedsNoRestart() {
        ObjectEditor editor(nullptr);
        editor.resize(900, 700);
        editor.show();
        editor.createNew(QStringLiteral("Deployment"), QStringLiteral("default"));
        auto* form = qobject_cast<DeploymentForm*>(editor.form());
        typeInto(form->nameEdit(), QStringLiteral("Web"));
        QCOMPARE(editor.tabs()->tabText(ObjectEditor::FormTab), QStringLiteral("Form"));
        QCOMPARE(editor.applyButton()->text(), QStringLiteral("Create"));

        QTranslator zh;
        QVERIFY(zh.load(QStringLiteral(PILOT_EDITORS_QM)));
        QCoreApplication::installTranslator(&zh);
        QTRY_COMPARE(editor.tabs()->tabText(ObjectEditor::FormTab), QStringLiteral("表单"));
        QCOMPARE(editor.applyButton()->text(), QStringLiteral("创建"));
        QCOMPARE(form->createService()->text(), QStringLiteral("同时为容器端口创建 Service"));
        auto* container =
            qobject_cast<ContainerSection*>(form->podTemplate()->containers()->row(0));
        QCOMPARE(container->imageEdit()->placeholderText(), QStringLiteral("例如 nginx:1.27"));
        // Inline messages follow the language too.
        bool nameMessage = false;
        for (QLabel* label : form->findChildren<QLabel*>(QStringLiteral("fieldMessage"))) {
            nameMessage =
                nameMessage || label->text().startsWith(QStringLiteral("只能使用小写字母"));
        }
        QVERIFY(nameMessage);
        saveScreenshot(&editor, QStringLiteral("zh_CN-deploymentform"));
        editor.tabs()->setCurrentIndex(ObjectEditor::YamlTab);
        saveScreenshot(&editor, QStringLiteral("zh_CN-yaml"));

        QCoreApplication::removeTranslator(&zh);
        QTRY_COMPARE(editor.tabs()->tabText(ObjectEditor::FormTab), QStringLiteral("Form"));
        QCOMPARE(form->createService()->text(),
                 QStringLiteral("Also create a Service for the container ports"));
    }

    void rolloutInChinese() {
        QTranslator zh;
        QVERIFY(zh.load(QStringLiteral(PILOT_EDITORS_QM)));
        QCoreApplication::installTranslator(&zh);
        QWidget parent;
        exercise(&parent);
        auto* rollout = parent.findChild<RolloutHistoryWidget*>();
        rollout->setParent(nullptr);
        rollout->resize(800, 600);
        rollout->show();
        QVERIFY(rollout->statusText().contains(QStringLiteral("停滞")));
        saveScreenshot(rollout, QStringLiteral("zh_CN-rollout"));
        delete rollout;
        QCoreApplication::removeTranslator(&zh);
    }
};

QTEST_MAIN(TestEditorTranslations)
#include "tst_editors_translations.moc"
