#include "container/rootless.h"

#include <cstdio>

#include "runtime/userns.h"
#include "base/file.h"

namespace hutch {

RootlessSession enter_rootless(const Store& store) {
  IdMapping wanted = detect_id_mapping();
  RootlessSession session;
  session.mapping = enter_user_namespace(wanted);
  session.layers.mapping_key = session.mapping.key();
  session.layers.apply_owners = session.mapping.has_range();
  session.first_single_uid_use =
      !session.mapping.has_range() && !is_dir(store.layers_dir(session.layers.mapping_key));
  store.collect_stale_staging();
  return session;
}

void RootlessSession::note_mapping() const {
  if (!first_single_uid_use) return;
  fprintf(stderr,
          "hutch: note: no subordinate id range for uid %u in /etc/subuid and /etc/subgid (or no newuidmap): "
          "containers get a single-uid mapping, you are root inside and other users do not exist\n",
          mapping.host_uid);
}

}  // namespace hutch
