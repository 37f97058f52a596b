#pragma once

#include "gui/editors/kindform.h"

class QCheckBox;

namespace pilot::gui {

/// PersistentVolumeClaim: access modes, requested size, storage class and volume mode.
class PersistentVolumeClaimForm : public KindForm {
    Q_OBJECT
public:
    explicit PersistentVolumeClaimForm(ObjectDocument* document, QWidget* parent = nullptr);
    [[nodiscard]] QString apiVersion() const override { return QStringLiteral("v1"); }
    [[nodiscard]] QString kind() const override { return QStringLiteral("PersistentVolumeClaim"); }
    [[nodiscard]] boost::json::object newObject(const QString& namespaceName) const override;
    void load(QObject* origin) override;

private:
    void modesEdited(QCheckBox* origin);

    QList<QCheckBox*> m_modes;
};

} // namespace pilot::gui
