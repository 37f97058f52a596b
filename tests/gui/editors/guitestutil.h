#pragma once

#include <QString>

#include <memory>

class QWidget;

namespace pilot::testsupport {
class EngineProcess;
}

namespace pilot::gui::test {

/// Saves `widget` as `<build>/tests/gui-screenshots/<name>.png` and returns the path.
QString saveScreenshot(QWidget* widget, const QString& name);

/// Clicks the middle of `widget` with the left button, first scrolling it into view when it sits
/// in a scroll area (Qt 6 delivers test mouse events through the window, at that position).
void click(QWidget* widget);

/// A started pilothouse-engine on 127.0.0.1:0 (nullptr when it failed to start).
std::unique_ptr<testsupport::EngineProcess> startEngine();

} // namespace pilot::gui::test
