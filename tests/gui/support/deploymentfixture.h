#pragma once

#include "gui/app/clustermanager.h"
#include "gui/app/languagemanager.h"
#include "gui/app/mainwindow.h"
#include "gui/models/clustersession.h"
#include "gui/models/deploymentmodel.h"
#include "gui/views/detailview.h"
#include "tests/gui/support/consoletest.h"
#include "tests/gui/support/engineinstance.h"

#include <QString>

#include <memory>
#include <utility>

namespace pilot::guitest {

/// What the console tests that follow one Deployment share: a real engine with simulated nodes,
/// the main window on it, and the Deployment `key` (`namespace/name`) in the `pilothouse`
/// context. The test class starts and stops them in its initTestCase/cleanupTestCase.
class DeploymentFixture {
protected:
    explicit DeploymentFixture(QString key) : m_key(std::move(key)) {}

    [[nodiscard]] gui::ClusterSession* session() const {
        return m_window->clusters()->session(m_context);
    }
    [[nodiscard]] const gui::DeploymentRecord* deployment() const {
        gui::RecordPtr record = session()->deployments()->recordByKey(m_key);
        return static_cast<const gui::DeploymentRecord*>(record.get());
    }

    EngineInstance m_engine;
    SimNodes m_nodes;
    gui::LanguageManager m_language;
    std::unique_ptr<gui::MainWindow> m_window;
    const QString m_context = QStringLiteral("pilothouse");
    const QString m_key;
    gui::DetailView* m_detail = nullptr;
};

} // namespace pilot::guitest
