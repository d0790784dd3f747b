// Users and groups as the container's own /etc/passwd and /etc/group define
// them (never the host's: musl has no NSS, and the host's users are not the
// container's anyway).
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace hutch {

struct ExecUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary
  std::string home = "/";
};

// Resolves docker's -u forms: "", "name", "uid", "name:group", "uid:gid", ...
// passwd/group are the files' contents (empty when missing).
ExecUser resolve_user(const std::string& spec, const std::string& passwd, const std::string& group);

}  // namespace hutch
