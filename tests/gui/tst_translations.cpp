// Every translatable string of the console has a Simplified Chinese translation: lupdate is run
// over the sources into a copy of i18n/pilothouse_zh_CN.ts, and any message it leaves
// unfinished (a new or changed string) fails the test, naming it. Translations must keep the
// source's placeholders. The compiled translations load and translate at run time.

#include "gui/app/languagemanager.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace pilot::gui;

namespace {

struct Message {
    QString context;
    QString source;
    QStringList translations;
    QString type; ///< "unfinished", "vanished", "obsolete" or empty.
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
            if (xml.isEndElement() && xml.name() == QLatin1String("message")) {
                out.append(current);
            }
            continue;
        }
        if (xml.name() == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (xml.name() == QLatin1String("message")) {
            current = Message{context, {}, {}, {}};
        } else if (xml.name() == QLatin1String("source")) {
            current.source = xml.readElementText();
        } else if (xml.name() == QLatin1String("translation")) {
            current.type = xml.attributes().value(QLatin1String("type")).toString();
            // Either text or <numerusform> children.
            QString text;
            while (!(xml.isEndElement() && xml.name() == QLatin1String("translation"))) {
                xml.readNext();
                if (xml.isCharacters()) {
                    text += xml.text();
                } else if (xml.isStartElement() && xml.name() == QLatin1String("numerusform")) {
                    current.translations << xml.readElementText();
                }
            }
            if (current.translations.isEmpty()) {
                current.translations << text.trimmed();
            }
        }
    }
    return out;
}

QStringList placeholders(const QString& text) {
    static const QRegularExpression re(QStringLiteral("%(\\d+|n)"));
    QStringList out;
    for (auto it = re.globalMatch(text); it.hasNext();) {
        out << it.next().captured(0);
    }
    out.sort();
    out.removeDuplicates();
    return out;
}

} // namespace

class TranslationsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void everySourceStringIsTranslated() {
        QTemporaryDir dir;
        QString ts = dir.filePath(QStringLiteral("pilothouse_zh_CN.ts"));
        QVERIFY(QFile::copy(QStringLiteral(PILOT_SOURCE_DIR "/i18n/pilothouse_zh_CN.ts"), ts));
        QFile::setPermissions(ts, QFile::ReadOwner | QFile::WriteOwner);
        QStringList args{QStringLiteral("-locations"), QStringLiteral("none"),
                         QStringLiteral("-no-obsolete"), QStringLiteral("-I"),
                         QStringLiteral(PILOT_SOURCE_DIR)};
        for (const QString& source : QStringLiteral(PILOT_TR_SOURCES).split(QLatin1Char('|'))) {
            args << source;
        }
        args << QStringLiteral("-ts") << ts;
        QProcess lupdate;
        lupdate.start(QStringLiteral(PILOT_LUPDATE), args);
        QVERIFY(lupdate.waitForFinished(60000)); // a test may wait for its tool
        QCOMPARE(lupdate.exitCode(), 0);

        QList<Message> messages = readTs(ts);
        QVERIFY(messages.size() > 100);
        QStringList untranslated;
        QStringList badPlaceholders;
        for (const Message& m : messages) {
            bool empty = m.translations.isEmpty() ||
                         std::any_of(m.translations.begin(), m.translations.end(),
                                     [](const QString& t) { return t.isEmpty(); });
            if (m.type == QLatin1String("unfinished") || empty) {
                untranslated << m.context + QStringLiteral(": ") + m.source;
                continue;
            }
            for (const QString& t : m.translations) {
                if (placeholders(t) != placeholders(m.source)) {
                    badPlaceholders << m.source + QStringLiteral(" -> ") + t;
                }
            }
        }
        QVERIFY2(untranslated.isEmpty(),
                 qPrintable(QStringLiteral("strings without a zh_CN translation (run the "
                                           "pilot_update_translations target and translate):\n") +
                            untranslated.join(QLatin1Char('\n'))));
        QVERIFY2(badPlaceholders.isEmpty(), qPrintable(badPlaceholders.join(QLatin1Char('\n'))));
    }

    void englishPluralFormsAreComplete() {
        QList<Message> messages = readTs(QStringLiteral(PILOT_SOURCE_DIR "/i18n/pilothouse_en.ts"));
        QVERIFY(!messages.isEmpty());
        for (const Message& m : messages) {
            QCOMPARE(m.translations.size(), 2);
            QVERIFY2(m.type.isEmpty(), qPrintable(m.source));
        }
    }

    void compiledTranslationsLoad() {
        LanguageManager language;
        QVERIFY(language.setLanguage(QStringLiteral("zh_CN")));
        QVERIFY2(language.loadedFiles().contains(QStringLiteral("pilothouse_zh_CN.qm")),
                 qPrintable(language.loadedFiles().join(QLatin1Char(','))));
        QCOMPARE(QCoreApplication::translate("pilot::gui::NavigationModel", "Workloads"),
                 QStringLiteral("工作负载"));
        QCOMPARE(
            QCoreApplication::translate("pilot::gui::ResourceListView", "%n object(s)", nullptr, 3),
            QStringLiteral("3 个对象"));
        QVERIFY(language.setLanguage(QStringLiteral("en")));
        QCOMPARE(QCoreApplication::translate("pilot::gui::NavigationModel", "Workloads"),
                 QStringLiteral("Workloads"));
        QCOMPARE(
            QCoreApplication::translate("pilot::gui::ResourceListView", "%n object(s)", nullptr, 1),
            QStringLiteral("1 object"));
        QCOMPARE(
            QCoreApplication::translate("pilot::gui::ResourceListView", "%n object(s)", nullptr, 2),
            QStringLiteral("2 objects"));
    }
};

QTEST_MAIN(TranslationsTest)
#include "tst_translations.moc"
