#include "gui/app/languagemanager.h"

#include <QCoreApplication>
#include <QDir>
#include <QEvent>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

namespace pilot::gui {

namespace {

const char* const SettingKey = "language";

} // namespace

LanguageManager::LanguageManager(QObject* parent) : QObject(parent) {}

LanguageManager::~LanguageManager() {
    removeTranslators();
}

QStringList LanguageManager::available() {
    return {QStringLiteral("en"), QStringLiteral("zh_CN")};
}

QString LanguageManager::nativeName(const QString& code) {
    if (code == QLatin1String("zh_CN")) {
        return QStringLiteral("简体中文");
    }
    return QStringLiteral("English");
}

QString LanguageManager::initialLanguage() {
    QSettings settings;
    QString saved = settings.value(QLatin1String(SettingKey)).toString();
    if (available().contains(saved)) {
        return saved;
    }
    QLocale locale;
    if (locale.language() == QLocale::Chinese &&
        locale.script() != QLocale::TraditionalChineseScript) {
        return QStringLiteral("zh_CN");
    }
    return QStringLiteral("en");
}

void LanguageManager::removeTranslators() {
    for (QTranslator* translator : std::as_const(m_translators)) {
        QCoreApplication::removeTranslator(translator);
        delete translator;
    }
    m_translators.clear();
    m_files.clear();
}

bool LanguageManager::setLanguage(const QString& code) {
    if (!available().contains(code)) {
        return false;
    }
    removeTranslators();
    m_language = code;
    // Every compiled file of the language: the console's, the editors', ... For English only
    // plural forms ship (the sources are English).
    QDir dir(QStringLiteral(":/i18n"));
    const QStringList files = dir.entryList({QStringLiteral("*_") + code + QStringLiteral(".qm")},
                                            QDir::Files, QDir::Name);
    for (const QString& file : files) {
        auto* translator = new QTranslator(this);
        if (translator->load(dir.filePath(file))) {
            m_translators.append(translator);
            m_files << file;
        } else {
            delete translator;
        }
    }
    if (code != QLatin1String("en")) {
        // Qt's own strings (standard buttons, dialogs).
        auto* qt = new QTranslator(this);
        if (qt->load(QLocale(code), QStringLiteral("qtbase"), QStringLiteral("_"),
                     QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
            m_translators.append(qt);
            m_files << QStringLiteral("qtbase_") + code + QStringLiteral(".qm");
        } else {
            delete qt;
        }
    }
    // Installed in reverse so that the console's own files take precedence over Qt's.
    for (auto it = m_translators.rbegin(); it != m_translators.rend(); ++it) {
        QCoreApplication::installTranslator(*it);
    }
    if (m_translators.isEmpty()) {
        // Nothing installed means no automatic LanguageChange: send it so views refresh.
        QEvent event(QEvent::LanguageChange);
        QCoreApplication::sendEvent(QCoreApplication::instance(), &event);
    }
    QSettings().setValue(QLatin1String(SettingKey), code);
    Q_EMIT languageChanged(code);
    return true;
}

} // namespace pilot::gui
