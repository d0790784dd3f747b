// Finding an image the way docker does: by reference, by id, or by id prefix.
#pragma once
#include <optional>
#include <string>

#include "store/images.h"

namespace hutch {

std::optional<ImageRecord> find_image(const ImageStore& images, const std::string& user_ref);

}  // namespace hutch
