#include "kube/types/schemaset.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <set>

using namespace pilot;
using namespace pilot::kube;
using schema::Kind;
using schema::Type;

namespace {

std::shared_ptr<const SchemaSet> builtinSet() {
    auto set = SchemaSet::builtin();
    EXPECT_TRUE(set.has_value()) << (set ? "" : set.error().message);
    return set ? *set : nullptr;
}

const Type* fieldType(const Type* type, std::string_view name) {
    const schema::Field* f = type == nullptr ? nullptr : type->field(name);
    return f == nullptr ? nullptr : f->type;
}

} // namespace

TEST(SchemaSet, EmbedsEveryFileAndLoadsThemWithoutErrors) {
    auto files = embeddedSchemaFiles();
    std::set<std::string_view> names;
    for (const SchemaFile& f : files) {
        names.insert(f.name);
    }
    EXPECT_TRUE(names.contains("meta.yaml"));
    EXPECT_TRUE(names.contains("core.yaml"));

    auto start = std::chrono::steady_clock::now();
    auto set = SchemaSet::load(files);
    auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(set.has_value()) << set.error().message;
    std::printf("[ timing ] loading %zu schema files (%zu definitions) took %.1f ms\n",
                files.size(), (*set)->definitions().size(),
                std::chrono::duration<double, std::milli>(elapsed).count());
    EXPECT_GT((*set)->definitions().size(), 200u);
}

TEST(SchemaSet, CompiledFilesLoadFastAndMatchTheYaml) {
    auto start = std::chrono::steady_clock::now();
    auto compiled = SchemaSet::loadCompiled(embeddedCompiledSchemas());
    auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(compiled.has_value()) << compiled.error().message;
    std::printf("[ timing ] loading the compiled schema document took %.1f ms (start-up path)\n",
                std::chrono::duration<double, std::milli>(elapsed).count());
    auto yaml = SchemaSet::load(embeddedSchemaFiles());
    ASSERT_TRUE(yaml.has_value());
    ASSERT_EQ((*compiled)->definitions().size(), (*yaml)->definitions().size());
    for (size_t i = 0; i < (*yaml)->definitions().size(); ++i) {
        const Type* a = (*yaml)->definitions()[i];
        const Type* b = (*compiled)->definitions()[i];
        EXPECT_EQ(a->name, b->name);
        EXPECT_EQ(a->properties.size(), b->properties.size()) << a->name;
    }
    EXPECT_EQ((*compiled)->resources().size(), (*yaml)->resources().size());
}

TEST(SchemaSet, EveryReferenceResolvesToANode) {
    auto set = builtinSet();
    ASSERT_TRUE(set);
    for (const Type* def : set->definitions()) {
        for (const schema::Field& f : def->properties) {
            ASSERT_NE(f.type, nullptr) << def->name << "." << f.name;
            if (f.type->kind == Kind::Array) {
                EXPECT_NE(f.type->items, nullptr) << def->name << "." << f.name;
            }
            if (f.type->kind == Kind::Map) {
                EXPECT_NE(f.type->values, nullptr) << def->name << "." << f.name;
            }
        }
    }
}

TEST(SchemaSet, ObjectMetaCarriesUpstreamProtoNumbers) {
    auto set = builtinSet();
    ASSERT_TRUE(set);
    const Type* meta = set->find("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    ASSERT_NE(meta, nullptr);
    const std::pair<const char*, int> expected[] = {{"name", 1},
                                                    {"generateName", 2},
                                                    {"namespace", 3},
                                                    {"selfLink", 4},
                                                    {"uid", 5},
                                                    {"resourceVersion", 6},
                                                    {"generation", 7},
                                                    {"creationTimestamp", 8},
                                                    {"deletionTimestamp", 9},
                                                    {"deletionGracePeriodSeconds", 10},
                                                    {"labels", 11},
                                                    {"annotations", 12},
                                                    {"ownerReferences", 13},
                                                    {"finalizers", 14},
                                                    {"managedFields", 17}};
    for (const auto& [name, number] : expected) {
        const schema::Field* f = meta->field(name);
        ASSERT_NE(f, nullptr) << name;
        EXPECT_EQ(f->protoNumber, number) << name;
    }
    EXPECT_EQ(fieldType(meta, "creationTimestamp")->kind, Kind::Time);
    EXPECT_EQ(fieldType(meta, "labels")->kind, Kind::Map);
    EXPECT_EQ(fieldType(meta, "labels")->values->kind, Kind::String);
    EXPECT_EQ(meta->field("ownerReferences")->patchMergeKey, "uid");
    EXPECT_EQ(meta->field("finalizers")->patchStrategy, "merge");
}

TEST(SchemaSet, PodSpecHasPatchMetadataAndPointers) {
    auto set = builtinSet();
    ASSERT_TRUE(set);
    const Type* spec = set->find("io.k8s.api.core.v1.PodSpec");
    ASSERT_NE(spec, nullptr);
    const schema::Field* containers = spec->field("containers");
    ASSERT_NE(containers, nullptr);
    EXPECT_EQ(containers->protoNumber, 2);
    EXPECT_TRUE(containers->required);
    EXPECT_EQ(containers->patchStrategy, "merge");
    EXPECT_EQ(containers->patchMergeKey, "name");
    EXPECT_EQ(spec->field("volumes")->patchStrategy, "merge,retainKeys");
    EXPECT_TRUE(set->isPointer(spec->field("terminationGracePeriodSeconds")));
    EXPECT_FALSE(set->isPointer(spec->field("hostNetwork")));

    const Type* container = containers->type->items;
    ASSERT_NE(container, nullptr);
    EXPECT_EQ(container->name, "io.k8s.api.core.v1.Container");
    EXPECT_EQ(container->field("ports")->patchMergeKey, "containerPort");
    EXPECT_EQ(container->field("volumeMounts")->patchMergeKey, "mountPath");
    EXPECT_EQ(container->field("image")->protoNumber, 2);
}

TEST(SchemaSet, InlinedStructsAreFlattenedAndRememberTheirProtoField) {
    auto set = builtinSet();
    ASSERT_TRUE(set);
    const Type* volume = set->find("io.k8s.api.core.v1.Volume");
    ASSERT_NE(volume, nullptr);
    ASSERT_NE(volume->field("configMap"), nullptr);
    ASSERT_NE(volume->field("emptyDir"), nullptr);
    EXPECT_EQ(volume->field("configMap")->protoNumber, 0);
    auto members = set->inlineMembers(volume);
    ASSERT_EQ(members.size(), 1u);
    EXPECT_EQ(members[0].protoNumber, 2);
    EXPECT_EQ(members[0].type->name, "io.k8s.api.core.v1.VolumeSource");

    const Type* selector = set->find("io.k8s.api.core.v1.SecretKeySelector");
    ASSERT_NE(selector, nullptr);
    EXPECT_NE(selector->field("name"), nullptr);
    EXPECT_TRUE(set->isPointer(selector->field("optional")));
}

TEST(SchemaSet, ReportsUnresolvedRefsAndDuplicatesNamingFileAndDefinition) {
    const SchemaFile files[] = {
        {"a.yaml", "definitions:\n  x.A:\n    properties:\n      b: {ref: x.Missing, proto: 1}\n"},
        {"b.yaml", "definitions:\n  x.A:\n    properties: {}\n"},
    };
    auto set = SchemaSet::load(files);
    ASSERT_FALSE(set.has_value());
    EXPECT_EQ(set.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(set.error().message.find("a.yaml: x.A: property b: unresolved ref x.Missing"),
              std::string::npos)
        << set.error().message;
    EXPECT_NE(set.error().message.find("b.yaml: x.A: duplicate definition (already defined in "
                                       "a.yaml)"),
              std::string::npos)
        << set.error().message;
}

TEST(SchemaSet, ReportsUnknownKeysAndYamlSyntaxErrors) {
    const SchemaFile typo[] = {
        {"t.yaml", "definitions:\n  x.A:\n    properties:\n      b: {type: string, protoo: 1}\n"}};
    auto set = SchemaSet::load(typo);
    ASSERT_FALSE(set.has_value());
    EXPECT_NE(set.error().message.find("t.yaml: x.A: property b: unknown key \"protoo\""),
              std::string::npos)
        << set.error().message;

    const SchemaFile broken[] = {{"s.yaml", "definitions:\n  x.A: {properties: [\n"}};
    auto bad = SchemaSet::load(broken);
    ASSERT_FALSE(bad.has_value());
    EXPECT_NE(bad.error().message.find("s.yaml:"), std::string::npos) << bad.error().message;
}
