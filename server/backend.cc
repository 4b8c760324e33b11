#include "server/backend.h"

#include "storage/status_macros.h"

namespace ctxgraph::server {

absl::StatusOr<std::unique_ptr<Backend>> Backend::Open(const std::string& data_dir,
                                                       const DatabaseOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(data_dir + "/db", options));
  return std::make_unique<Backend>(std::move(db));
}

Backend::Backend(std::unique_ptr<Database> database)
    : db(std::move(database)),
      audit(db->audit()),
      graph(db.get()),
      principals(db.get()),
      authenticator(&principals),
      page_tokens(db->secret()),
      writer(graph),
      admin(principals) {}

}  // namespace ctxgraph::server
