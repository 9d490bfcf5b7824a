// Identifiers of the access domain. Each is a strong type over the caller's string, so a
// UserId is never passed where an OrgId is meant. Ids are validated by the commands that
// introduce them (domain/validate.h): 1 to 128 characters from [A-Za-z0-9._-].
#pragma once

#include <string>

#include "common/strong_type.h"

namespace portico::domain {

using OrgId = StrongType<struct OrgIdTag, std::string>;
using UserId = StrongType<struct UserIdTag, std::string>;
using LevelId = StrongType<struct LevelIdTag, std::string>;
using ResourceId = StrongType<struct ResourceIdTag, std::string>;
using NoteId = StrongType<struct NoteIdTag, std::string>;
using SessionId = StrongType<struct SessionIdTag, std::string>;

}  // namespace portico::domain
