// Column sets of every printer, kubectl age formatting, the generic printer and CRD printers.

#include "engine/printers/crdprinter.h"
#include "engine/printers/tableprinter.h"
#include "printertestutil.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

using namespace pilot;
using namespace pilot::printers;
using namespace pilot::printers::test;
namespace json = boost::json;

namespace {

// --- formatAge ----------------------------------------------------------------------------

struct AgeCase {
    int64_t seconds;
    std::string expected;
};

class FormatAge : public ::testing::TestWithParam<AgeCase> {};

TEST_P(FormatAge, MatchesHumanDuration) {
    EXPECT_EQ(formatAge(std::chrono::seconds(GetParam().seconds)), GetParam().expected);
}

constexpr int64_t Minute = 60;
constexpr int64_t Hour = 60 * Minute;
constexpr int64_t Day = 24 * Hour;

INSTANTIATE_TEST_SUITE_P(
    Printers, FormatAge,
    ::testing::Values(AgeCase{-5, "<invalid>"}, AgeCase{-1, "0s"}, AgeCase{0, "0s"},
                      AgeCase{45, "45s"}, AgeCase{119, "119s"}, AgeCase{120, "2m"},
                      AgeCase{5 * Minute + 30, "5m30s"}, AgeCase{9 * Minute + 59, "9m59s"},
                      AgeCase{10 * Minute + 30, "10m"}, AgeCase{179 * Minute, "179m"},
                      AgeCase{3 * Hour, "3h"}, AgeCase{3 * Hour + 5 * Minute, "3h5m"},
                      AgeCase{7 * Hour + 59 * Minute, "7h59m"}, AgeCase{8 * Hour + 30, "8h"},
                      AgeCase{47 * Hour, "47h"}, AgeCase{2 * Day + 3 * Hour, "2d3h"},
                      AgeCase{7 * Day, "7d"}, AgeCase{8 * Day + 5 * Hour, "8d"},
                      AgeCase{400 * Day, "400d"}, AgeCase{730 * Day, "2y"},
                      AgeCase{740 * Day, "2y10d"}, AgeCase{9 * 365 * Day, "9y"}));

// --- column sets ----------------------------------------------------------------------------

struct HeaderCase {
    std::string printer;
    // "Name:type:priority" per column, comma separated; a trailing ":name" marks format "name".
    std::string columns;
};

std::string describeColumns(const std::vector<ColumnDefinition>& columns) {
    std::string out;
    for (const ColumnDefinition& c : columns) {
        if (!out.empty()) {
            out += ",";
        }
        out += fmt::format("{}:{}:{}", c.name, c.type, c.priority);
        if (!c.format.empty()) {
            out += ":" + c.format;
        }
    }
    return out;
}

class Columns : public ::testing::TestWithParam<HeaderCase> {};

TEST_P(Columns, MatchKubeApiserver) {
    auto printer = printerFor(builtinType(GetParam().printer));
    EXPECT_EQ(describeColumns(printer->columns()), GetParam().columns);
    for (const ColumnDefinition& c : printer->columns()) {
        EXPECT_FALSE(c.description.empty()) << c.name;
    }
}

constexpr const char* Wide = ",Containers:string:1,Images:string:1";

INSTANTIATE_TEST_SUITE_P(
    Printers, Columns,
    ::testing::Values(
        HeaderCase{"pods", "Name:string:0:name,Ready:string:0,Status:string:0,Restarts:string:0,"
                           "Age:string:0,IP:string:1,Node:string:1,Nominated Node:string:1,"
                           "Readiness Gates:string:1"},
        HeaderCase{"deployments", std::string("Name:string:0:name,Ready:string:0,"
                                              "Up-to-date:string:0,Available:string:0,"
                                              "Age:string:0") +
                                      Wide + ",Selector:string:1"},
        HeaderCase{"replicasets", std::string("Name:string:0:name,Desired:integer:0,"
                                              "Current:integer:0,Ready:integer:0,Age:string:0") +
                                      Wide + ",Selector:string:1"},
        HeaderCase{"replicationcontrollers",
                   std::string("Name:string:0:name,Desired:integer:0,Current:integer:0,"
                               "Ready:integer:0,Age:string:0") +
                       Wide + ",Selector:string:1"},
        HeaderCase{"statefulsets",
                   std::string("Name:string:0:name,Ready:string:0,Age:string:0") + Wide},
        HeaderCase{"daemonsets",
                   std::string("Name:string:0:name,Desired:integer:0,Current:integer:0,"
                               "Ready:integer:0,Up-to-date:integer:0,Available:integer:0,"
                               "Node Selector:string:0,Age:string:0") +
                       Wide + ",Selector:string:1"},
        HeaderCase{"jobs", std::string("Name:string:0:name,Status:string:0,"
                                       "Completions:string:0,Duration:string:0,Age:string:0") +
                               Wide + ",Selector:string:1"},
        HeaderCase{"cronjobs",
                   std::string("Name:string:0:name,Schedule:string:0,Timezone:string:0,"
                               "Suspend:boolean:0,Active:integer:0,Last Schedule:string:0,"
                               "Age:string:0") +
                       Wide + ",Selector:string:1"},
        HeaderCase{"services", "Name:string:0:name,Type:string:0,Cluster-IP:string:0,"
                               "External-IP:string:0,Port(s):string:0,Age:string:0,"
                               "Selector:string:1"},
        HeaderCase{"endpoints", "Name:string:0:name,Endpoints:string:0,Age:string:0"},
        HeaderCase{"configmaps", "Name:string:0:name,Data:string:0,Age:string:0"},
        HeaderCase{"secrets", "Name:string:0:name,Type:string:0,Data:string:0,Age:string:0"},
        HeaderCase{"namespaces", "Name:string:0:name,Status:string:0,Age:string:0"},
        HeaderCase{"nodes", "Name:string:0:name,Status:string:0,Roles:string:0,Age:string:0,"
                            "Version:string:0,Internal-IP:string:1,External-IP:string:1,"
                            "OS-Image:string:1,Kernel-Version:string:1,"
                            "Container-Runtime:string:1"},
        HeaderCase{"events", "Last Seen:string:0,Type:string:0,Reason:string:0,Object:string:0,"
                             "Subobject:string:1,Source:string:1,Message:string:0,"
                             "First Seen:string:1,Count:string:1,Name:string:1:name"},
        HeaderCase{"persistentvolumes",
                   "Name:string:0:name,Capacity:string:0,Access Modes:string:0,"
                   "Reclaim Policy:string:0,Status:string:0,Claim:string:0,"
                   "StorageClass:string:0,VolumeAttributesClass:string:0,Reason:string:0,"
                   "Age:string:0,VolumeMode:string:1"},
        HeaderCase{"persistentvolumeclaims",
                   "Name:string:0:name,Status:string:0,Volume:string:0,Capacity:string:0,"
                   "Access Modes:string:0,StorageClass:string:0,"
                   "VolumeAttributesClass:string:0,Age:string:0,VolumeMode:string:1"},
        HeaderCase{"serviceaccounts", "Name:string:0:name,Secrets:string:0,Age:string:0"},
        HeaderCase{"resourcequotas",
                   "Name:string:0:name,Request:string:0,Limit:string:0,Age:string:0"},
        HeaderCase{"storageclasses",
                   "Name:string:0:name,Provisioner:string:0,ReclaimPolicy:string:0,"
                   "VolumeBindingMode:string:0,AllowVolumeExpansion:string:0,Age:string:0"},
        HeaderCase{"ingresses", "Name:string:0:name,Class:string:0,Hosts:string:0,"
                                "Address:string:0,Ports:string:0,Age:string:0"},
        HeaderCase{"ingressclasses", "Name:string:0:name,Controller:string:0,"
                                     "Parameters:string:0,Age:string:0"},
        HeaderCase{"networkpolicies", "Name:string:0:name,Pod-Selector:string:0,Age:string:0"},
        HeaderCase{"endpointslices", "Name:string:0:name,AddressType:string:0,Ports:string:0,"
                                     "Endpoints:string:0,Age:string:0"},
        HeaderCase{"leases", "Name:string:0:name,Holder:string:0,Age:string:0"},
        HeaderCase{"priorityclasses", "Name:string:0:name,Value:integer:0,"
                                      "Global-Default:boolean:0,Age:string:0,"
                                      "PreemptionPolicy:string:0"},
        HeaderCase{"rolebindings", "Name:string:0:name,Role:string:0,Age:string:0,"
                                   "Users:string:1,Groups:string:1,ServiceAccounts:string:1"},
        HeaderCase{"clusterrolebindings",
                   "Name:string:0:name,Role:string:0,Age:string:0,Users:string:1,"
                   "Groups:string:1,ServiceAccounts:string:1"},
        HeaderCase{"horizontalpodautoscalers",
                   "Name:string:0:name,Reference:string:0,Targets:string:0,MinPods:string:0,"
                   "MaxPods:string:0,Replicas:string:0,Age:string:0"},
        HeaderCase{"controllerrevisions", "Name:string:0:name,Controller:string:0,"
                                          "Revision:string:0,Age:string:0"},
        HeaderCase{"poddisruptionbudgets",
                   "Name:string:0:name,Min Available:string:0,Max Unavailable:string:0,"
                   "Allowed Disruptions:integer:0,Age:string:0"},
        HeaderCase{"podtemplates", "Name:string:0:name,Containers:string:0,Images:string:0,"
                                   "Pod Labels:string:0"},
        HeaderCase{"runtimeclasses", "Name:string:0:name,Handler:string:0,Age:string:0"},
        HeaderCase{"validatingwebhookconfigurations",
                   "Name:string:0:name,Webhooks:integer:0,Age:string:0"},
        HeaderCase{"mutatingwebhookconfigurations",
                   "Name:string:0:name,Webhooks:integer:0,Age:string:0"},
        HeaderCase{"certificatesigningrequests",
                   "Name:string:0:name,Age:string:0,SignerName:string:0,Requestor:string:0,"
                   "RequestedDuration:string:0,Condition:string:0"},
        HeaderCase{"volumeattachments", "Name:string:0:name,Attacher:string:0:name,"
                                        "PV:string:0,Node:string:0,Attached:boolean:0,"
                                        "Age:string:0"},
        HeaderCase{"csinodes", "Name:string:0:name,Drivers:integer:0,Age:string:0"},
        // Kinds kube-apiserver has no printer for get the default table convertor's columns.
        HeaderCase{"roles", "Name:string:0:name,Created At:date:0"},
        HeaderCase{"clusterroles", "Name:string:0:name,Created At:date:0"},
        HeaderCase{"limitranges", "Name:string:0:name,Created At:date:0"},
        HeaderCase{"customresourcedefinitions", "Name:string:0:name,Created At:date:0"}),
    [](const ::testing::TestParamInfo<HeaderCase>& p) { return p.param.printer; });

TEST(Printers, EveryCellCountMatchesTheColumnCount) {
    for (std::string plural : {"pods",
                               "deployments",
                               "replicasets",
                               "replicationcontrollers",
                               "statefulsets",
                               "daemonsets",
                               "jobs",
                               "cronjobs",
                               "services",
                               "endpoints",
                               "configmaps",
                               "secrets",
                               "namespaces",
                               "nodes",
                               "events",
                               "persistentvolumes",
                               "persistentvolumeclaims",
                               "serviceaccounts",
                               "resourcequotas",
                               "storageclasses",
                               "ingresses",
                               "ingressclasses",
                               "networkpolicies",
                               "endpointslices",
                               "leases",
                               "priorityclasses",
                               "rolebindings",
                               "clusterrolebindings",
                               "horizontalpodautoscalers",
                               "controllerrevisions",
                               "poddisruptionbudgets",
                               "podtemplates",
                               "runtimeclasses",
                               "validatingwebhookconfigurations",
                               "certificatesigningrequests",
                               "volumeattachments",
                               "csinodes",
                               "roles"}) {
        auto printer = printerFor(builtinType(plural));
        json::array cells = printer->cells(json::object{}, testNow());
        EXPECT_EQ(cells.size(), printer->columns().size()) << plural;
    }
}

// --- generic printer ---------------------------------------------------------------------

TEST(GenericPrinter, PrintsNameAndCreationTimeAsDate) {
    kube::ResourceType type;
    type.plural = "roles";
    auto printer = printerFor(type);
    json::array cells = printer->cells(json::parse(R"j({"metadata":{"name":"pod-reader",
                       "creationTimestamp":"2026-11-21T21:55:00+02:00"}})j")
                                           .as_object(),
                                       testNow());
    EXPECT_EQ(json::serialize(cells), R"j(["pod-reader","2026-11-21T19:55:00Z"])j");
}

TEST(GenericPrinter, ZeroTimeWhenCreationTimestampIsMissing) {
    kube::ResourceType type;
    type.plural = "widgets";
    json::array cells = printerFor(type)->cells(
        json::parse(R"j({"metadata":{"name":"w"}})j").as_object(), testNow());
    EXPECT_EQ(json::serialize(cells), R"j(["w","0001-01-01T00:00:00Z"])j");
}

TEST(GenericPrinter, NamedPrinterTakesPrecedenceOverPlural) {
    kube::ResourceType type;
    type.plural = "things";
    type.printer = "namespaces";
    EXPECT_EQ(printerFor(type)->columns().size(), 3u);
}

// --- CRD printers --------------------------------------------------------------------------

kube::ResourceType crdType(std::vector<kube::PrinterColumn> columns) {
    kube::ResourceType type;
    type.plural = "widgets";
    type.custom = true;
    type.printerColumns = std::move(columns);
    return type;
}

kube::PrinterColumn printerColumn(std::string name, std::string type, std::string path,
                                  int priority = 0) {
    kube::PrinterColumn c;
    c.name = std::move(name);
    c.type = std::move(type);
    c.jsonPath = std::move(path);
    c.priority = priority;
    return c;
}

constexpr const char* Widget = R"j({
  "metadata":{"name":"w1","creationTimestamp":"2026-11-21T19:55:00Z",
              "labels":{"app.kubernetes.io/name":"shop"}},
  "spec":{"replicas":3,"ratio":0.5,"enabled":true,"tags":["a","b"],"owner":{"team":"x","id":7},
          "size":"1Gi"},
  "status":{"conditions":[{"type":"Synced","status":"False"},{"type":"Ready","status":"True"}],
            "lastSync":"2026-11-21T19:59:00Z","broken":"yesterday"}})j";

TEST(CrdPrinter, WithoutColumnsPrintsNameAndAge) {
    auto printer = printerFor(crdType({}));
    EXPECT_EQ(describeColumns(printer->columns()), "Name:string:0:name,Age:date:0");
    EXPECT_EQ(json::serialize(printer->cells(json::parse(Widget).as_object(), testNow())),
              R"j(["w1","5m"])j");
}

TEST(CrdPrinter, ColumnsFollowTheNameColumnWithTheirOwnTypesAndPriorities) {
    auto printer = printerFor(crdType({printerColumn("Replicas", "integer", ".spec.replicas"),
                                       printerColumn("Size", "string", ".spec.size", 1)}));
    EXPECT_EQ(describeColumns(printer->columns()),
              "Name:string:0:name,Replicas:integer:0,Size:string:1");
    EXPECT_EQ(printer->columns()[1].description,
              "Custom resource definition column (in JSONPath format): .spec.replicas");
}

struct CrdCellCase {
    std::string label;
    std::string type;
    std::string path;
    std::string expected; // the cell as JSON
};

class CrdCells : public ::testing::TestWithParam<CrdCellCase> {};

TEST_P(CrdCells, EvaluateJsonPathLikeApiextensions) {
    auto printer = printerFor(crdType({printerColumn("C", GetParam().type, GetParam().path)}));
    json::array cells = printer->cells(json::parse(Widget).as_object(), testNow());
    ASSERT_EQ(cells.size(), 2u);
    EXPECT_EQ(json::serialize(cells[1]), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Printers, CrdCells,
    ::testing::Values(CrdCellCase{"integer", "integer", ".spec.replicas", "3"},
                      CrdCellCase{"integerAsString", "string", ".spec.replicas", R"j("3")j"},
                      CrdCellCase{"number", "number", ".spec.ratio", "5E-1"},
                      CrdCellCase{"numberAsString", "string", ".spec.ratio", R"j("0.5")j"},
                      CrdCellCase{"boolean", "boolean", ".spec.enabled", "true"},
                      CrdCellCase{"booleanAsString", "string", ".spec.enabled", R"j("true")j"},
                      CrdCellCase{"filter", "string",
                                  R"j(.status.conditions[?(@.type=="Ready")].status)j",
                                  R"j("True")j"},
                      CrdCellCase{"filterSingleQuotes", "string",
                                  ".status.conditions[?(@.type=='Synced')].status", R"j("False")j"},
                      CrdCellCase{"index", "string", ".spec.tags[1]", R"j("b")j"},
                      CrdCellCase{"bracketKey", "string",
                                  ".metadata.labels['app.kubernetes.io/name']", R"j("shop")j"},
                      CrdCellCase{"arrayAsJson", "string", ".spec.tags", R"j("[\"a\",\"b\"]")j"},
                      CrdCellCase{"objectAsSortedJson", "string", ".spec.owner",
                                  R"j("{\"id\":7,\"team\":\"x\"}")j"},
                      CrdCellCase{"date", "date", ".status.lastSync", R"j("60s")j"},
                      CrdCellCase{"invalidDate", "date", ".status.broken", R"j("<invalid>")j"},
                      CrdCellCase{"missing", "string", ".status.nothing", "null"},
                      CrdCellCase{"wrongType", "integer", ".spec.size", "null"},
                      CrdCellCase{"braces", "integer", "{.spec.replicas}", "3"}),
    [](const ::testing::TestParamInfo<CrdCellCase>& p) { return p.param.label; });

TEST(CrdPrinter, UnparsablePathGivesNullCells) {
    auto printer = printerFor(crdType({printerColumn("Bad", "string", ".spec[")}));
    json::array cells = printer->cells(json::parse(Widget).as_object(), testNow());
    EXPECT_EQ(json::serialize(cells), R"j(["w1",null])j");
}

TEST(JsonPath, TextUsesGoNumberFormatting) {
    EXPECT_EQ(detail::jsonPathText(json::value(1e8)), "1e+08");
    EXPECT_EQ(detail::jsonPathText(json::value(123456.0)), "123456");
    EXPECT_EQ(detail::jsonPathText(json::value(0.25)), "0.25");
    EXPECT_EQ(detail::jsonPathText(json::parse(R"j({"x":1e8,"a":"<b>"})j")),
              R"j({"a":"\u003cb\u003e","x":100000000})j");
}

} // namespace
