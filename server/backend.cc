#include "server/backend.h"

#include <spdlog/spdlog.h>

#include "query/retriever.h"
#include "storage/status_macros.h"

namespace ctxgraph::server {

absl::StatusOr<std::unique_ptr<Backend>> Backend::Open(const std::string& data_dir,
                                                       const DatabaseOptions& options,
                                                       const TextIndexConfig& text_config,
                                                       const RequestLimits& limits) {
  DatabaseOptions db_options = options;
  db_options.receipt_action = kRetrieveAction;
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(data_dir + "/db", db_options));
  auto text = std::make_unique<TextIndex>(db.get(), text_config);
  RETURN_IF_ERROR(text->Open());
  auto labels = std::make_unique<LabelRegistry>(db.get());
  RETURN_IF_ERROR(labels->Load());
  auto backend =
      std::make_unique<Backend>(std::move(db), std::move(text), std::move(labels), limits);
  backend->data_dir = data_dir;
  RETURN_IF_ERROR(backend->graph.BackfillInherited());
  return backend;
}

Backend::Backend(std::unique_ptr<Database> database, std::unique_ptr<TextIndex> text_index,
                 std::unique_ptr<LabelRegistry> label_registry, const RequestLimits& request_limits)
    : db(std::move(database)),
      text(std::move(text_index)),
      labels(std::move(label_registry)),
      audit(db->audit()),
      visible_sets(text->sets()),
      graph(db.get(), text.get(), labels.get()),
      wire_nodes(db->read_cache() != nullptr ? db->read_cache()->capacity_bytes() / 4 : 0),
      wire_edges(db->read_cache() != nullptr ? db->read_cache()->capacity_bytes() / 16 : 0),
      principals(db.get()),
      authenticator(&principals),
      page_tokens(db->secret()),
      opaque_ids(db->redaction_key()),
      receipt_ids(db->secret()),
      writer(graph, request_limits.max_batch_ops),
      admin(principals),
      boundaries(graph, page_tokens),
      limits(request_limits),
      in_flight(request_limits.max_concurrent_requests) {
  db->SetSessionEnder([this] {
    if (const int ended = bulk_imports.EndAll(); ended > 0) {
      spdlog::warn("ending {} bulk import(s): a change takes authority away and waits for none",
                   ended);
    }
  });
}

}  // namespace ctxgraph::server
