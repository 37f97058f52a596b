#pragma once

#include "gui/client/nodecommands.h"

#include <QDialog>
#include <QMap>

class QComboBox;
class QLineEdit;
class QSpinBox;
class QTableWidget;
class QLabel;

namespace pilot::gui {

/// Asks for a replica count.
class ScaleDialog : public QDialog {
    Q_OBJECT
public:
    ScaleDialog(const QString& object, int current, QWidget* parent = nullptr);
    [[nodiscard]] int replicas() const;

private:
    QSpinBox* m_replicas = nullptr;
};

/// Asks for a container and its new image.
class ImageDialog : public QDialog {
    Q_OBJECT
public:
    /// `containers`: name -> current image, in order.
    ImageDialog(const QString& object, const QList<std::pair<QString, QString>>& containers,
                QWidget* parent = nullptr);
    [[nodiscard]] QString container() const;
    [[nodiscard]] QString image() const;

private:
    QComboBox* m_container = nullptr;
    QLineEdit* m_image = nullptr;
    QList<std::pair<QString, QString>> m_containers;
};

/// Edits a key/value map (labels).
class LabelsDialog : public QDialog {
    Q_OBJECT
public:
    LabelsDialog(const QString& object, const QMap<QString, QString>& labels,
                 QWidget* parent = nullptr);
    [[nodiscard]] QMap<QString, QString> labels() const;
    /// Adds an empty row and starts editing its key.
    void addRow(const QString& key = {}, const QString& value = {});

private:
    QTableWidget* m_table = nullptr;
};

/// Edits a node's taints (key, value, effect).
class TaintsDialog : public QDialog {
    Q_OBJECT
public:
    TaintsDialog(const QString& node, const QList<Taint>& taints, QWidget* parent = nullptr);
    [[nodiscard]] QList<Taint> taints() const;
    void addRow(const Taint& taint = {QString(), QString(), QStringLiteral("NoSchedule")});

private:
    QTableWidget* m_table = nullptr;
};

} // namespace pilot::gui
