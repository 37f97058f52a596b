#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

class QTranslator;

namespace pilot::gui {

/// Switches the user interface language at run time: loads every compiled translation of the
/// language (`:/i18n/*_<code>.qm`, the console's and the editors') plus Qt's own, installs them
/// and lets Qt send LanguageChange to every widget, which retranslates itself. No restart.
class LanguageManager : public QObject {
    Q_OBJECT
public:
    explicit LanguageManager(QObject* parent = nullptr);
    ~LanguageManager() override;

    /// Language codes offered: "en" (the source language) and "zh_CN".
    [[nodiscard]] static QStringList available();
    /// The language's own name ("English", "简体中文").
    [[nodiscard]] static QString nativeName(const QString& code);
    /// The code to start with: the saved choice, else the system locale if offered, else "en".
    [[nodiscard]] static QString initialLanguage();

    [[nodiscard]] QString language() const { return m_language; }
    /// Installs the language; returns false (and keeps the current one) if it is unknown.
    bool setLanguage(const QString& code);
    /// The translation files loaded for the current language (for tests).
    [[nodiscard]] QStringList loadedFiles() const { return m_files; }

Q_SIGNALS:
    void languageChanged(const QString& code);

private:
    void removeTranslators();

    QString m_language = QStringLiteral("en");
    QList<QTranslator*> m_translators;
    QStringList m_files;
};

} // namespace pilot::gui
