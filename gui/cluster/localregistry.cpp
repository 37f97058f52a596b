#include "gui/cluster/localregistry.h"

#include <QDir>
#include <QFile>

namespace pilot::gui {

namespace {

Expected<QByteArray> readAll(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return failure(QStringLiteral("Cannot read %1: %2").arg(path, file.errorString()));
    }
    return file.readAll();
}

} // namespace

// The messages are not translated yet: nothing shows them until the registry browser exists.
Expected<LocalRegistry> LocalRegistry::load(const QString& engineDataDir, const QUrl& url) {
    if (!url.isValid() || url.host().isEmpty()) {
        return failure(QStringLiteral("The engine reported no registry address"));
    }
    QDir dir(engineDataDir);
    LocalRegistry registry;
    registry.url = url;
    registry.certificateAuthorityFile = dir.filePath(QStringLiteral("pki/ca.crt"));
    auto ca = readAll(registry.certificateAuthorityFile);
    if (!ca) {
        return failure(ca.error());
    }
    registry.certificateAuthorityPem = *ca;
    QString adminFile = dir.filePath(QStringLiteral("registry-admin"));
    auto admin = readAll(adminFile);
    if (!admin) {
        return failure(admin.error());
    }
    // One line `username:password`; the password may itself contain colons.
    QString line = QString::fromUtf8(*admin).trimmed();
    qsizetype colon = line.indexOf(QLatin1Char(':'));
    if (colon <= 0 || colon == line.size() - 1) {
        return failure(QStringLiteral("%1: expected one line username:password").arg(adminFile));
    }
    registry.username = line.left(colon);
    registry.password = line.mid(colon + 1);
    return registry;
}

} // namespace pilot::gui
