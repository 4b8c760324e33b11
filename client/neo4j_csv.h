// The Neo4j bulk-import CSV convention (neo4j-admin import), mapped onto
// ctxgraph write ops.
//
// Node files: a header row naming each column, then one node per record.
//   id:ID | name:ID | :ID   the node id (exactly one; the name before ':' is
//                           not stored as a prop). With an ID space,
//                           id:ID(Person), the id is qualified by it: value 1
//                           is node "Person:1", so ids of two spaces never
//                           meet; :START_ID(Person) and :END_ID(Person) name
//                           the same nodes.
//   :LABEL                  type labels separated by ';'
//   boundary:string[]       the node boundary, labels separated by ';'
//   source_system, source_uri, source_authority (optionally ":string")
//                           the node source; authority is imported, asserted
//                           or inferred
// Relationship files: :START_ID, :END_ID and :TYPE (each exactly once).
// Both: any other column is a prop, "name:TYPE" or "name:TYPE[]" (array
// elements separated by ';'), where TYPE is
//   int, long, short, byte   -> int_value
//   float, double            -> double_value (decimal; no nan, inf or hex)
//   boolean                  -> bool_value (true/false, any case)
//   string                   -> string_value
//   datetime                 -> timestamp_value (RFC 3339)
// and an untyped "name" is a string. Columns typed ":IGNORE" are skipped. An
// empty field (quoted or not) means the prop is absent.
#ifndef CTXGRAPH_CLIENT_NEO4J_CSV_H_
#define CTXGRAPH_CLIENT_NEO4J_CSV_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/csv_reader.h"
#include "ctxgraph/v1/graph.pb.h"

namespace ctxgraph::client {

enum class CsvFileKind { kNodes, kRelationships };

// The type of a prop column (see above).
enum class CsvValueType { kInt, kDouble, kBool, kString, kDateTime };

// The meaning of each column of one file, from its header. Immutable after
// FromHeader; thread-compatible.
class Neo4jCsvMapping {
 public:
  // Reads `header` (the first record of `file`). Errors are INVALID_ARGUMENT
  // named "FILE:LINE:COLUMN: ...", e.g.
  //   nodes.csv:1:9: column "age:integer": unknown type "integer" (want int, long, ...)
  //   nodes.csv:1:1: no :ID column
  //   rels.csv:1:1: no :TYPE column
  //   nodes.csv:1:20: column "name": duplicate prop "name"
  static absl::StatusOr<Neo4jCsvMapping> FromHeader(CsvFileKind kind, const std::string& file,
                                                    const CsvRecord& header);

  // Fills `op` (cleared by the caller) from a well-formed data record. On
  // failure returns false and sets *reason, which names the column by its
  // number (1-based field index) and header, e.g.
  //   column 3 ("age:int"): "abc" is not an int
  //   column 1 ("id:ID"): missing id
  //   column 2 ("tags:string[]"): element 2: invalid UTF-8 at byte 1
  //   record has 3 fields, the header has 4
  bool ToOp(const CsvRecord& record, ctxgraph::v1::WriteOp* op, std::string* reason) const;

  CsvFileKind kind() const { return kind_; }

 private:
  enum class Role {
    kId,
    kStartId,
    kEndId,
    kType,
    kLabels,
    kBoundary,
    kSourceSystem,
    kSourceUri,
    kSourceAuthority,
    kProp,
    kIgnore
  };
  struct Column {
    std::string header;
    Role role;
    std::string prop;  // kProp only
    CsvValueType type = CsvValueType::kString;
    bool array = false;
    std::string id_space;  // kId, kStartId, kEndId: "Person" of ":ID(Person)"
  };

  CsvFileKind kind_ = CsvFileKind::kNodes;
  std::vector<Column> columns_;
};

}  // namespace ctxgraph::client

#endif  // CTXGRAPH_CLIENT_NEO4J_CSV_H_
