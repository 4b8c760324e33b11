#include "server/bulk_imports.h"

namespace ctxgraph::server {

BulkImports::Registration::Registration(Registration&& other) noexcept
    : owner_(other.owner_), context_(other.context_) {
  other.owner_ = nullptr;
}

BulkImports::Registration::~Registration() {
  if (owner_ == nullptr) return;
  // Under the mutex: EndAll never cancels a call whose handler has returned.
  std::lock_guard<std::mutex> lock(owner_->mu_);
  owner_->calls_.erase(context_);
  owner_->ended_.erase(context_);
  owner_->sealed_.erase(context_);
}

bool BulkImports::Registration::Seal() {
  if (owner_ == nullptr) return true;
  std::lock_guard<std::mutex> lock(owner_->mu_);
  if (owner_->ended_.contains(context_)) return false;
  owner_->sealed_.insert(context_);
  return true;
}

bool BulkImports::Registration::ended() const {
  if (owner_ == nullptr) return false;
  std::lock_guard<std::mutex> lock(owner_->mu_);
  return owner_->ended_.contains(context_);
}

BulkImports::Registration BulkImports::Register(grpc::ServerContextBase* context) {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.insert(context);
  return Registration(this, context);
}

int BulkImports::EndAll() {
  std::lock_guard<std::mutex> lock(mu_);
  int ended = 0;
  for (grpc::ServerContextBase* context : calls_) {
    if (sealed_.contains(context) || ended_.contains(context)) continue;
    context->TryCancel();
    ended_.insert(context);
    ++ended;
  }
  return ended;
}

}  // namespace ctxgraph::server
