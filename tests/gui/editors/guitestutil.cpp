#include "tests/gui/editors/guitestutil.h"

#include "tests/support/engineprocess/engineprocess.h"

#include <QCoreApplication>
#include <QDir>
#include <QPixmap>
#include <QScrollArea>
#include <QTest>
#include <QWidget>

namespace pilot::gui::test {

QString saveScreenshot(QWidget* widget, const QString& name) {
    const QString dir = QStringLiteral(PILOT_SCREENSHOT_DIR);
    QDir().mkpath(dir);
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    const QString path = dir + QLatin1Char('/') + name + QStringLiteral(".png");
    widget->grab().save(path);
    return path;
}

void click(QWidget* widget) {
    // Lay out what changed since the last event loop pass, so the widget is where it is drawn.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    if (!QTest::qWaitForWindowExposed(widget->window())) {
        qWarning("window not exposed");
    }
    for (QWidget* p = widget->parentWidget(); p != nullptr; p = p->parentWidget()) {
        if (auto* area = qobject_cast<QScrollArea*>(p)) {
            area->ensureWidgetVisible(widget);
        }
    }
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    QTest::mouseClick(widget, Qt::LeftButton);
}

std::unique_ptr<testsupport::EngineProcess> startEngine() {
    auto engine = std::make_unique<testsupport::EngineProcess>(PILOT_ENGINE_BINARY);
    if (!engine->start()) {
        return nullptr;
    }
    return engine;
}

} // namespace pilot::gui::test
