// BulkImports: the open bulk Import streams, so that a change taking
// authority away can end them. A bulk import holds the commit lock for as
// long as it runs (an hour, by default, or more if it keeps sending), and a
// synchronous Read waiting for the client cannot look at anything else:
// EndAll cancels every registered call (grpc::ServerContextBase::TryCancel;
// its client sees CANCELLED), and the handler, finding its call cancelled,
// aborts the import and releases the lock (PrincipalAdmin::SetEndBulkImports).
// An import writing its commit record (Seal) is let finish: the change then
// waits for that last step only.
//
// Thread safety: safe for concurrent use.
#ifndef CTXGRAPH_SERVER_BULK_IMPORTS_H_
#define CTXGRAPH_SERVER_BULK_IMPORTS_H_

#include <grpcpp/server_context.h>

#include <mutex>
#include <set>

namespace ctxgraph::server {

class BulkImports {
 public:
  BulkImports() = default;
  BulkImports(const BulkImports&) = delete;
  BulkImports& operator=(const BulkImports&) = delete;

  // Keeps one call registered while it lives; move-only.
  class Registration {
   public:
    Registration(Registration&& other) noexcept;
    Registration& operator=(Registration&&) = delete;
    Registration(const Registration&) = delete;
    ~Registration();

    // Whether EndAll ended this call (its context is cancelled then).
    bool ended() const;
    // The import is about to write its commit record: false when EndAll
    // ended it already; once true, EndAll passes it by (its commit lands
    // first, and its client hears OK, not CANCELLED).
    bool Seal();

   private:
    friend class BulkImports;
    Registration(BulkImports* owner, grpc::ServerContextBase* context)
        : owner_(owner), context_(context) {}
    BulkImports* owner_;
    grpc::ServerContextBase* context_;
  };

  // Registers `context`, which must outlive the registration.
  Registration Register(grpc::ServerContextBase* context);

  // Cancels every registered call not sealed (nor ended before); returns
  // how many.
  int EndAll();

 private:
  mutable std::mutex mu_;
  std::set<grpc::ServerContextBase*> calls_;   // guarded by mu_
  std::set<grpc::ServerContextBase*> ended_;   // guarded by mu_: those EndAll cancelled
  std::set<grpc::ServerContextBase*> sealed_;  // guarded by mu_: those EndAll passes by
};

}  // namespace ctxgraph::server

#endif  // CTXGRAPH_SERVER_BULK_IMPORTS_H_
