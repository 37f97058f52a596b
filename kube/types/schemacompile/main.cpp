// Build-time tool: parses the schema YAML files once and writes them as one JSON document
// {"<file name>": <tree>, ...}, so the engine's start-up parses JSON instead of YAML.
// Usage: pilot_schemacompile <output.json> <file.yaml>...
#include "kube/types/schemayaml.h"

#include <boost/json/serialize.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <output.json> <file.yaml>...\n", argv[0]);
        return 2;
    }
    boost::json::object out;
    for (int i = 2; i < argc; ++i) {
        std::string path = argv[i];
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "%s: cannot read\n", path.c_str());
            return 1;
        }
        std::stringstream buffer;
        buffer << in.rdbuf();
        std::string name = path.substr(path.find_last_of('/') + 1);
        auto tree = pilot::kube::schemaYamlToJson(buffer.str(), name);
        if (!tree) {
            std::fprintf(stderr, "%s\n", tree.error().message.c_str());
            return 1;
        }
        out[name] = std::move(*tree);
    }
    std::ofstream file(argv[1], std::ios::binary | std::ios::trunc);
    file << boost::json::serialize(out);
    return file.good() ? 0 : 1;
}
