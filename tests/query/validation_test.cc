#include "query/validation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/test_macros.h"

namespace ctxgraph {
namespace {

using absl::StatusCode;

TEST(ValidationTest, Utf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("ab\x80"));
}

TEST(ValidationTest, IdsNameTheFieldAndReason) {
  EXPECT_OK(ValidateId("id", "doc-00000042"));
  EXPECT_STATUS(ValidateId("ops[3].upsert_node.id", ""), StatusCode::kInvalidArgument,
                "ops[3].upsert_node.id: must be 1..256 bytes, got 0");
  EXPECT_STATUS(ValidateId("id", std::string(257, 'a')), StatusCode::kInvalidArgument,
                "id: must be 1..256 bytes, got 257");
  EXPECT_STATUS(ValidateId("id", std::string("a\0b", 3)), StatusCode::kInvalidArgument,
                "id: \"a\\x00b\" contains a control character");
  EXPECT_STATUS(ValidateId("id", "a\xff"), StatusCode::kInvalidArgument, "id: is not valid UTF-8");
  // C1 controls too (U+009B is a terminal's CSI); the next code point is fine.
  EXPECT_STATUS(ValidateId("id",
                           "a\xc2\x9b"
                           "2J"),
                StatusCode::kInvalidArgument, "id: \"a\\xc2\\x9b2J\" contains a control character");
  EXPECT_OK(ValidateId("id", "a\xc2\xa0z"));  // U+00A0, no-break space
}

TEST(ValidationTest, LabelsAndClearances) {
  EXPECT_OK(ValidateTypeLabel("l", "DecisionThread"));
  EXPECT_STATUS(ValidateTypeLabel("labels[0]", "Bad Label"), StatusCode::kInvalidArgument,
                "labels[0]: \"Bad Label\" has a character outside [A-Za-z0-9_]");
  EXPECT_OK(ValidateBoundaryLabel("b", "personal:alice"));
  EXPECT_STATUS(ValidateBoundaryLabel("boundary[1]", "pii*"), StatusCode::kInvalidArgument,
                "boundary[1]: \"pii*\" has a character outside [A-Za-z0-9_.:-]");
  EXPECT_OK(ValidateClearance("c", "*"));
  EXPECT_OK(ValidateClearance("c", "team:*"));
  EXPECT_OK(ValidateClearance("c", "pii"));
  EXPECT_STATUS(ValidateClearance("clearances[0]", "te*m"), StatusCode::kInvalidArgument,
                "clearances[0]: \"te*m\" has a character outside [A-Za-z0-9_.:-]");
  EXPECT_STATUS(ValidateClearance("clearances[0]", ":*"), StatusCode::kInvalidArgument,
                "clearances[0]: \":*\" has a character outside [A-Za-z0-9_.:-]");
}

TEST(ValidationTest, DescriptionsAreBoundedUtf8) {
  EXPECT_OK(ValidateDescription("description", "import demo.jsonl"));
  EXPECT_STATUS(ValidateDescription("options.description", std::string(4097, 'x')),
                StatusCode::kInvalidArgument,
                "options.description: must be at most 4096 bytes of UTF-8");
  EXPECT_STATUS(ValidateDescription("description", "\xff"), StatusCode::kInvalidArgument,
                "description: must be at most 4096 bytes of UTF-8");
}

TEST(ValidationTest, NormalizeSortsAndDeduplicates) {
  std::vector<std::string> b = {"team:eng", "pii", "team:eng"};
  ASSERT_OK(NormalizeBoundary("boundary", b));
  EXPECT_EQ(b, (std::vector<std::string>{"pii", "team:eng"}));
  std::vector<std::string> none;
  EXPECT_STATUS(NormalizeTypeLabels("labels", none, true), StatusCode::kInvalidArgument,
                "labels: at least one label is required");
}

TEST(ValidationTest, MutationErrorsCarryTheOpPath) {
  Mutation nested = NodeUpsert{NodeRecord{"n", {"Document"}, {}, {}, {}, {}, false}};
  std::get<NodeUpsert>(nested).node.props["tags"] = Value{ValueList{Value{ValueList{}}}};
  EXPECT_STATUS(ValidateMutation("ops[1]", nested), StatusCode::kInvalidArgument,
                "ops[1].upsert_node.props[\"tags\"][0]: lists cannot be nested");

  Mutation bad_utf8 = NodeUpsert{NodeRecord{"n", {"Document"}, {}, {}, {}, {}, false}};
  std::get<NodeUpsert>(bad_utf8).node.props["t"] = Value{std::string("\xc3")};
  EXPECT_STATUS(ValidateMutation("ops[0]", bad_utf8), StatusCode::kInvalidArgument,
                "ops[0].upsert_node.props[\"t\"]: string is not valid UTF-8");

  // JSON has no NaN or infinity: a node holding one could not be exported.
  for (double d : {std::nan(""), HUGE_VAL, -HUGE_VAL}) {
    Mutation odd = NodeUpsert{NodeRecord{"n", {"Document"}, {}, {}, {}, {}, false}};
    std::get<NodeUpsert>(odd).node.props["x"] = Value{ValueList{Value{1.5}, Value{d}}};
    EXPECT_STATUS(ValidateMutation("ops[2]", odd), StatusCode::kInvalidArgument,
                  "ops[2].upsert_node.props[\"x\"][1]: not a finite number");
  }

  Mutation edge = EdgeUpsert{EdgeRecord{"a", "part of", "b", {}, {}, false}};
  EXPECT_STATUS(ValidateMutation("ops[2]", edge), StatusCode::kInvalidArgument,
                "ops[2].upsert_edge.label: \"part of\" has a character outside [A-Za-z0-9_]");
}

}  // namespace
}  // namespace ctxgraph
