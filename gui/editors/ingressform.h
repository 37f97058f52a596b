#pragma once

#include "gui/editors/kindform.h"

class QLineEdit;

namespace pilot::gui {

class RecordList;

/// Ingress: class, rules (host, then paths with path type and backend Service and port) and TLS
/// (hosts and the Secret with the certificate).
class IngressForm : public KindForm {
    Q_OBJECT
public:
    explicit IngressForm(ObjectDocument* document, QWidget* parent = nullptr);
    [[nodiscard]] QString apiVersion() const override {
        return QStringLiteral("networking.k8s.io/v1");
    }
    [[nodiscard]] QString kind() const override { return QStringLiteral("Ingress"); }
    [[nodiscard]] boost::json::object newObject(const QString& namespaceName) const override;
    [[nodiscard]] RecordList* rules() const { return m_rules; }

private:
    RecordList* m_rules;
};

/// One `rules[]` item: a host and its HTTP paths.
class IngressRuleRow : public FormSection {
    Q_OBJECT
public:
    explicit IngressRuleRow(ObjectDocument* document, QWidget* parent = nullptr);
    [[nodiscard]] RecordList* paths() const { return m_paths; }

private:
    RecordList* m_paths;
};

/// One `http.paths[]` item: path, path type, backend Service name and port.
class IngressPathRow : public FormSection {
    Q_OBJECT
public:
    explicit IngressPathRow(ObjectDocument* document, QWidget* parent = nullptr);
};

/// One `tls[]` item: hosts (comma-separated) and the certificate's Secret.
class IngressTlsRow : public FormSection {
    Q_OBJECT
public:
    explicit IngressTlsRow(ObjectDocument* document, QWidget* parent = nullptr);
    void load(QObject* origin) override;

private:
    QLineEdit* m_hosts;
};

} // namespace pilot::gui
