#include "query/validation.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "query/field_name.h"
#include "storage/status_macros.h"

namespace ctxgraph {
namespace {

bool IsWordChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsBoundaryChar(unsigned char c) { return IsWordChar(c) || c == '.' || c == ':' || c == '-'; }

absl::Status ValidateLabelChars(const FieldName& field, std::string_view label, bool boundary) {
  if (label.empty() || label.size() > kMaxLabelBytes) {
    return InvalidField(field,
                        absl::StrCat("must be 1..", kMaxLabelBytes, " bytes, got ", label.size()));
  }
  for (unsigned char c : label) {
    if (!(boundary ? IsBoundaryChar(c) : IsWordChar(c))) {
      return InvalidField(field, absl::StrCat(Quote(label), " has a character outside ",
                                              boundary ? "[A-Za-z0-9_.:-]" : "[A-Za-z0-9_]"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateScalarOrList(const FieldName& field, const Value& value, bool in_list) {
  if (const auto* s = std::get_if<std::string>(&value.v)) {
    if (s->size() > kMaxStringValueBytes) {
      return InvalidField(field,
                          absl::StrCat("string of ", s->size(), " bytes exceeds the limit of ",
                                       kMaxStringValueBytes));
    }
    if (!IsValidUtf8(*s)) return InvalidField(field, "string is not valid UTF-8");
  } else if (const auto* d = std::get_if<double>(&value.v)) {
    // JSON has no NaN or infinity: such a value could not be exported.
    if (!std::isfinite(*d)) return InvalidField(field, "not a finite number");
  } else if (const auto* list = std::get_if<ValueList>(&value.v)) {
    if (in_list) return InvalidField(field, "lists cannot be nested");
    if (list->size() > kMaxListElements) {
      return InvalidField(field, absl::StrCat("list of ", list->size(),
                                              " elements exceeds the limit of ", kMaxListElements));
    }
    for (size_t i = 0; i < list->size(); ++i) {
      RETURN_IF_ERROR(ValidateScalarOrList(FieldName(field, i), (*list)[i], /*in_list=*/true));
    }
  }
  return absl::OkStatus();
}

absl::Status Normalize(const FieldName& field, std::vector<std::string>& labels,
                       absl::Status (*check)(const FieldName&, std::string_view)) {
  if (labels.size() > kMaxLabelsPerNode) {
    return InvalidField(
        field, absl::StrCat(labels.size(), " labels exceed the limit of ", kMaxLabelsPerNode));
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    RETURN_IF_ERROR(check(FieldName(field, i), labels[i]));
  }
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  return absl::OkStatus();
}

absl::Status IdAt(const FieldName& field, std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) {
    return InvalidField(field, absl::StrCat("must be 1..", kMaxIdBytes, " bytes, got ", id.size()));
  }
  if (!IsValidUtf8(id)) return InvalidField(field, "is not valid UTF-8");
  for (size_t i = 0; i < id.size(); ++i) {
    const auto c = static_cast<unsigned char>(id[i]);
    // C0, DEL and C1 (U+0080..U+009F, whose UTF-8 is C2 80..C2 9F): ids
    // are printed as they are, to logs and terminals.
    const bool c1 = c == 0xC2 && i + 1 < id.size() && static_cast<unsigned char>(id[i + 1]) < 0xA0;
    if (c < 0x20 || c == 0x7F || c1) {
      return InvalidField(field, absl::StrCat(Quote(id), " contains a control character"));
    }
  }
  return absl::OkStatus();
}

absl::Status TypeLabelAt(const FieldName& field, std::string_view label) {
  return ValidateLabelChars(field, label, /*boundary=*/false);
}

absl::Status BoundaryLabelAt(const FieldName& field, std::string_view label) {
  return ValidateLabelChars(field, label, /*boundary=*/true);
}

absl::Status ClearanceAt(const FieldName& field, std::string_view clearance) {
  if (clearance == "*") return absl::OkStatus();
  if (clearance.size() > 2 && clearance.ends_with(":*")) {
    return BoundaryLabelAt(field, clearance.substr(0, clearance.size() - 2));
  }
  return BoundaryLabelAt(field, clearance);
}

absl::Status PropsAt(const FieldName& field, const PropMap& props) {
  if (props.size() > kMaxProps) {
    return InvalidField(field,
                        absl::StrCat(props.size(), " props exceed the limit of ", kMaxProps));
  }
  for (const auto& [key, value] : props) {
    const FieldName path = FieldName::Key(field, key);
    if (key.empty() || key.size() > kMaxPropKeyBytes) {
      return InvalidField(path, absl::StrCat("key must be 1..", kMaxPropKeyBytes, " bytes"));
    }
    if (!IsValidUtf8(key)) return InvalidField(path, "key is not valid UTF-8");
    RETURN_IF_ERROR(ValidateScalarOrList(path, value, /*in_list=*/false));
  }
  return absl::OkStatus();
}

absl::Status TypeLabelsAt(const FieldName& field, std::vector<std::string>& labels,
                          bool require_one) {
  if (require_one && labels.empty()) return InvalidField(field, "at least one label is required");
  return Normalize(field, labels, &TypeLabelAt);
}

absl::Status DescriptionAt(const FieldName& field, std::string_view description) {
  if (description.size() > kMaxDescriptionBytes || !IsValidUtf8(description)) {
    return InvalidField(field,
                        absl::StrCat("must be at most ", kMaxDescriptionBytes, " bytes of UTF-8"));
  }
  return absl::OkStatus();
}

absl::Status LabelDefinitionAt(const FieldName& prefix, const LabelDefinition& label) {
  RETURN_IF_ERROR(BoundaryLabelAt(FieldName(prefix, "name"), label.name));
  const FieldName description(prefix, "description");
  if (label.description.empty()) return InvalidField(description, "required");
  return DescriptionAt(description, label.description);
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

absl::Status ValidateId(std::string_view field, std::string_view id) {
  return IdAt(FieldName(field), id);
}

absl::Status ValidateTypeLabel(std::string_view field, std::string_view label) {
  return TypeLabelAt(FieldName(field), label);
}

absl::Status CheckLabelFilterSize(std::string_view field, size_t labels) {
  if (labels <= kMaxLabelFilter) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(field), ": at most ", kMaxLabelFilter, " labels, got ", labels));
}

absl::Status NormalizeEdgeLabelFilter(std::string_view field, std::vector<std::string>& labels) {
  RETURN_IF_ERROR(CheckLabelFilterSize(field, labels.size()));
  for (size_t i = 0; i < labels.size(); ++i) {
    RETURN_IF_ERROR(ValidateTypeLabel(absl::StrCat(std::string(field), "[", i, "]"), labels[i]));
  }
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  return absl::OkStatus();
}

absl::Status ValidateBoundaryLabel(std::string_view field, std::string_view label) {
  return BoundaryLabelAt(FieldName(field), label);
}

absl::Status ValidateClearance(std::string_view field, std::string_view clearance) {
  return ClearanceAt(FieldName(field), clearance);
}

absl::Status ValidateProps(std::string_view field, const PropMap& props) {
  return PropsAt(FieldName(field), props);
}

absl::Status ValidateDescription(std::string_view field, std::string_view description) {
  return DescriptionAt(FieldName(field), description);
}

absl::Status ValidateLabelDefinition(std::string_view field, const LabelDefinition& label) {
  const std::string prefix = field.empty() ? "" : absl::StrCat(std::string(field), ".");
  return LabelDefinitionAt(FieldName(prefix), label);
}

absl::Status NormalizeTypeLabels(std::string_view field, std::vector<std::string>& labels,
                                 bool require_one) {
  return TypeLabelsAt(FieldName(field), labels, require_one);
}

absl::Status NormalizeBoundary(std::string_view field, std::vector<std::string>& boundary) {
  return Normalize(FieldName(field), boundary, &BoundaryLabelAt);
}

absl::Status NormalizeClearances(std::string_view field, std::vector<std::string>& clearances) {
  return Normalize(FieldName(field), clearances, &ClearanceAt);
}

absl::Status ValidateMutation(std::string_view field, Mutation& mutation) {
  return ValidateMutation(FieldName(field), mutation);
}

absl::Status ValidateMutation(const FieldName& f, Mutation& mutation) {
  if (auto* m = std::get_if<NodeUpsert>(&mutation)) {
    const FieldName p(f, ".upsert_node");
    RETURN_IF_ERROR(IdAt(FieldName(p, ".id"), m->node.id));
    RETURN_IF_ERROR(TypeLabelsAt(FieldName(p, ".labels"), m->node.labels, /*require_one=*/true));
    RETURN_IF_ERROR(Normalize(FieldName(p, ".boundary"), m->node.boundary, &BoundaryLabelAt));
    RETURN_IF_ERROR(PropsAt(FieldName(p, ".props"), m->node.props));
    if (!IsValidUtf8(m->node.source.system) || m->node.source.system.size() > kMaxIdBytes) {
      return InvalidField(FieldName(p, ".source.system"), "must be at most 256 bytes of UTF-8");
    }
    if (!IsValidUtf8(m->node.source.uri) || m->node.source.uri.size() > 4096) {
      return InvalidField(FieldName(p, ".source.uri"), "must be at most 4096 bytes of UTF-8");
    }
  } else if (auto* m = std::get_if<NodeDelete>(&mutation)) {
    RETURN_IF_ERROR(IdAt(FieldName(f, ".delete_node"), m->id));
  } else if (auto* m = std::get_if<EdgeUpsert>(&mutation)) {
    const FieldName p(f, ".upsert_edge");
    RETURN_IF_ERROR(IdAt(FieldName(p, ".from"), m->edge.from));
    RETURN_IF_ERROR(TypeLabelAt(FieldName(p, ".label"), m->edge.label));
    RETURN_IF_ERROR(IdAt(FieldName(p, ".to"), m->edge.to));
    RETURN_IF_ERROR(PropsAt(FieldName(p, ".props"), m->edge.props));
  } else if (auto* m = std::get_if<EdgeDelete>(&mutation)) {
    const FieldName p(f, ".delete_edge");
    RETURN_IF_ERROR(IdAt(FieldName(p, ".from"), m->from));
    RETURN_IF_ERROR(TypeLabelAt(FieldName(p, ".label"), m->label));
    RETURN_IF_ERROR(IdAt(FieldName(p, ".to"), m->to));
  } else if (auto* m = std::get_if<LabelDefine>(&mutation)) {
    RETURN_IF_ERROR(LabelDefinitionAt(FieldName(f, ".define_label."), m->label));
  }
  return absl::OkStatus();
}

}  // namespace ctxgraph
