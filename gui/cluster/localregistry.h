#pragma once

#include "gui/client/expected.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

namespace pilot::gui {

/// How to reach the bundled cluster's registry, as a user would otherwise configure it by hand:
/// its URL, the engine CA that signs its certificate (DATA/pki/ca.crt), and the first
/// administrator from DATA/registry-admin (`username:password`, architecture.md §2).
struct LocalRegistry {
    QUrl url;                         ///< https://127.0.0.1:PORT, from the engine's ready line.
    QString certificateAuthorityFile; ///< The engine CA (skopeo: --cert-dir its folder).
    QByteArray certificateAuthorityPem;
    QString username;
    QString password;

    /// Reads the CA and the administrator from the engine's data directory `engineDataDir` for
    /// a registry served at `url`. Fails with a message naming the file when one is missing or
    /// malformed (the engine writes both before its ready line).
    [[nodiscard]] static Expected<LocalRegistry> load(const QString& engineDataDir,
                                                      const QUrl& url);
};

} // namespace pilot::gui
