<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>pilot::gui::ActionController</name>
    <message numerus="yes">
        <source>%n object(s)</source>
        <translation>
            <numerusform>%n object</numerusform>
            <numerusform>%n objects</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>pilot::gui::DashboardView</name>
    <message numerus="yes">
        <source>%1 of %n node(s) ready</source>
        <translation>
            <numerusform>%1 of %n node ready</numerusform>
            <numerusform>%1 of %n nodes ready</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n not ready</source>
        <translation>
            <numerusform>%n not ready</numerusform>
            <numerusform>%n not ready</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n cordoned</source>
        <translation>
            <numerusform>%n cordoned</numerusform>
            <numerusform>%n cordoned</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n pod(s)</source>
        <translation>
            <numerusform>%n pod</numerusform>
            <numerusform>%n pods</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>pilot::gui::DeleteCommand</name>
    <message numerus="yes">
        <source>Delete %n object(s)</source>
        <translation>
            <numerusform>Delete %n object</numerusform>
            <numerusform>Delete %n objects</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>pilot::gui::DrainCommand</name>
    <message numerus="yes">
        <source>Evicting %n pod(s)</source>
        <translation>
            <numerusform>Evicting %n pod</numerusform>
            <numerusform>Evicting %n pods</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>pilot::gui::LogView</name>
    <message numerus="yes">
        <source>%n line(s).</source>
        <translation>
            <numerusform>%n line.</numerusform>
            <numerusform>%n lines.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Showing the last %n line(s); %1 older dropped.</source>
        <translation>
            <numerusform>Showing the last %n line; %1 older dropped.</numerusform>
            <numerusform>Showing the last %n lines; %1 older dropped.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n match(es)</source>
        <translation>
            <numerusform>%n match</numerusform>
            <numerusform>%n matches</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Saved %n line(s) to %1.</source>
        <translation>
            <numerusform>Saved %n line to %1.</numerusform>
            <numerusform>Saved %n lines to %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>pilot::gui::ResourceListView</name>
    <message numerus="yes">
        <source>%n object(s)</source>
        <translation>
            <numerusform>%n object</numerusform>
            <numerusform>%n objects</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n object(s)</source>
        <translation>
            <numerusform>%1 of %n object</numerusform>
            <numerusform>%1 of %n objects</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>pilot::gui::ScaleCommand</name>
    <message numerus="yes">
        <source>Scale %1 to %n replica(s)</source>
        <translation>
            <numerusform>Scale %1 to %n replica</numerusform>
            <numerusform>Scale %1 to %n replicas</numerusform>
        </translation>
    </message>
</context>
</TS>
