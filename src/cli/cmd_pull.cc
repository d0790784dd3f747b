#include "cli/commands.h"
#include "cli/pulling.h"
#include "container/rootless.h"
#include "store/gc.h"

namespace hutch {

namespace {

struct PullOptions {
  bool all_tags = false;
  std::string platform;
  bool quiet = false;
};

int pull(PullOptions& options, const Args& args) {
  PullRequest request = make_pull_request(args.positional[0], options.platform, options.all_tags, options.quiet);
  Store store = open_store();
  RootlessSession session = enter_rootless(store);
  collecting_on_failure(store, [&] { pull_and_report(store, session.layers, request, stdout, true); });
  session.note_mapping();
  return 0;
}

}  // namespace

Command pull_command() {
  using F = Flag<PullOptions>;
  return make_command<PullOptions>(
      {.name = "pull",
       .args = "[OPTIONS] NAME[:TAG|@DIGEST]",
       .summary = "Download an image from a registry",
       .description =
           "Pulls an image from a registry speaking the Docker Registry HTTP API v2 (OCI distribution). Names are "
           "normalized as docker does: busybox is docker.io/library/busybox:latest, fetched from Docker Hub's "
           "registry-1.docker.io. From a manifest list or OCI index, the entry for --platform (default: this "
           "machine's) is chosen.\n\n"
           "Layers are downloaded three at a time and unpacked while they arrive; every blob, the config and a "
           "manifest named by digest are checked against their digests, and nothing is recorded until all matched. "
           "Broken transfers are resumed, and 5xx answers retried, with back-off. Concurrent pulls of the same "
           "image download each layer once.\n\n"
           "Credentials come from `hutch login` (its auth file is $REGISTRY_AUTH_FILE or "
           "$XDG_CONFIG_HOME/hutch/auth.json) or from docker's ~/.docker/config.json. TLS is verified against "
           "$SSL_CERT_FILE, $SSL_CERT_DIR or the system's CA bundle. Plain HTTP is used only for loopback "
           "registries and those listed in \"insecure-registries\" of $XDG_CONFIG_HOME/hutch/config.json, and "
           "only when the registry does not speak TLS.",
       .min_args = 1,
       .max_args = 1},
      {
          F::boolean("all-tags", 'a', &PullOptions::all_tags, "Download all tagged images in the repository"),
          F::string("platform", 0, &PullOptions::platform, "Set platform if server is multi-platform capable"),
          F::boolean("quiet", 'q', &PullOptions::quiet, "Suppress verbose output"),
      },
      pull);
}

}  // namespace hutch
