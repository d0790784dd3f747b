#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/log.h"
#include "base/json_reader.h"
#include "cli/commands.h"
#include "cli/go_template.h"
#include "cli/inspect_json.h"
#include "cli/network_inspect.h"
#include "image/image_refs.h"
#include "store/containers.h"
#include "store/images.h"
#include "store/networks.h"

namespace hutch {

// docker's inspect output: an indented JSON array by default, a compact one
// for "json", or the template once per object. Objects that cannot be found
// are reported after the output, and make the command fail.
int print_inspect(const std::vector<std::string>& objects, const std::vector<std::string>& errors,
                  const std::string& format, int failure_status) {
  if (format.empty() || format == "json") {
    std::string array = "[";
    for (size_t i = 0; i < objects.size(); i++) array += (i ? "," : "") + objects[i];
    array += "]";
    fputs((go_json(parse_json(array, "inspect"), true, format.empty()) + "\n").c_str(), stdout);
  } else {
    GoTemplate tmpl(format);
    std::string out;
    for (const auto& object : objects) out += tmpl.execute(parse_json(object, "inspect")) + "\n";
    fputs(out.empty() ? "\n" : out.c_str(), stdout);
  }
  fflush(stdout);
  for (const auto& e : errors) print_error(e);
  return errors.empty() ? 0 : failure_status;
}

namespace {

std::optional<std::string> inspect_image(const Store& store, const std::string& ref) {
  auto image = find_image_or_digest(ImageStore(store), ref);
  if (!image) return std::nullopt;
  return image_inspect_json(store, *image);
}

std::optional<std::string> inspect_container(const Store& store, const std::string& ref, bool size) {
  try {
    return container_inspect_json(store, ContainerStore(store).find(ref), size);
  } catch (const Error& e) {
    if (std::string(e.what()).compare(0, 19, "No such container: ") == 0) return std::nullopt;
    throw;
  }
}

std::optional<std::string> inspect_network(const Store& store, const std::string& ref) {
  auto network = NetworkStore(store).get(ref);
  if (!network) return std::nullopt;
  return network_inspect_json(*network, network_endpoints(*network, ContainerStore(store).list()));
}

struct ImageInspectOptions {
  std::string format;
};

int image_inspect(ImageInspectOptions& options, const Args& args) {
  const std::string& format = options.format;
  if (!format.empty() && format != "json") GoTemplate check(format);  // a bad template fails first
  Store store = open_store();
  std::vector<std::string> objects, errors;
  for (const auto& ref : args.positional) {
    try {
      auto object = inspect_image(store, ref);
      if (!object) fail_no_such_image(ref);
      objects.push_back(*object);
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  return print_inspect(objects, errors, format);
}

struct InspectOptions {
  std::string format;
  bool size = false;
  std::optional<std::string> type;  // unset: containers, then images
};

int inspect(InspectOptions& options, const Args& args) {
  const char* kTypes = "\"container\", \"image\", \"network\"";
  if (options.type && options.type->empty()) fail("type is empty: must be one of %s", kTypes);
  std::string type = options.type.value_or("");
  if (!type.empty() && type != "container" && type != "image" && type != "network")
    fail("unknown type: \"%s\": must be one of %s", type.c_str(), kTypes);
  const std::string& format = options.format;
  if (!format.empty() && format != "json") GoTemplate check(format);
  bool size = options.size;
  Store store = open_store();
  std::vector<std::string> objects, errors;
  for (const auto& ref : args.positional) {
    try {
      std::optional<std::string> object;
      // As docker: containers first, then images, then networks.
      if (type.empty() || type == "container") object = inspect_container(store, ref, size);
      if (!object && (type.empty() || type == "image")) object = inspect_image(store, ref);
      if (!object && (type.empty() || type == "network")) object = inspect_network(store, ref);
      if (!object) {
        if (type == "image") fail_no_such_image(ref);
        if (type == "network") fail("No such network: %s", ref.c_str());
        if (type == "container") fail("No such container: %s", ref.c_str());
        fail("No such object: %s", ref.c_str());
      }
      objects.push_back(*object);
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  return print_inspect(objects, errors, format);
}

}  // namespace

Command inspect_command() {
  using F = Flag<InspectOptions>;
  return make_command<InspectOptions>(
      {.name = "inspect",
       .args = "[OPTIONS] NAME|ID [NAME|ID...]",
       .summary = "Return low-level information on containers, images and networks",
       .description = "Prints docker's JSON for each container, image or network named (looked up in that order), as "
                      "one array; --format takes a Go template instead, evaluated once per object.",
       .min_args = 1},
      {
          F::string("format", 'f', &InspectOptions::format, kInspectFormatHelp),
          F::boolean("size", 's', &InspectOptions::size, "Display total file sizes if the type is container"),
          F::optional_string("type", 0, &InspectOptions::type,
                             "Only inspect objects of the given type (container, image or network)"),
      },
      inspect);
}

Command image_inspect_command() {
  return make_command<ImageInspectOptions>(
      {.name = "image inspect",
       .args = "[OPTIONS] IMAGE [IMAGE...]",
       .summary = "Display detailed information on one or more images",
       .description = "Prints docker's image JSON (Id, RepoTags, RepoDigests, Config, RootFS, the layer directories "
                      "as GraphDriver, ...) for each image, as one array; --format takes a Go template instead, "
                      "evaluated once per image.",
       .min_args = 1},
      {Flag<ImageInspectOptions>::string("format", 'f', &ImageInspectOptions::format, kInspectFormatHelp)},
      image_inspect);
}

}  // namespace hutch
