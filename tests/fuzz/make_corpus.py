#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target into tests/fuzz/corpus/.

Seeds are small valid inputs and edge cases, encoded here by hand from the
layouts documented in storage/keys.h, storage/record_codec.h,
storage/posting_block.h, query/page_token.h and the proto files, so the
corpus does not depend on a build. Run it after changing a format, then
commit the result:  python3 tests/fuzz/make_corpus.py
Files a fuzzer found (crashes turned regression inputs) live next to these
and are kept: this script only rewrites the files it names.
"""
import hashlib
import hmac
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- storage/keys.h: big-endian u64, u16-length-prefixed strings.
def u64(v):
    return struct.pack(">Q", v & 0xFFFFFFFFFFFFFFFF)


def kstr(s):
    s = s.encode() if isinstance(s, str) else s
    return struct.pack(">H", len(s)) + s


def inv(v):
    return u64(~v)


MAX = (1 << 64) - 1
keys = {
    "node_version": (0, u64(42) + inv(7)),
    "adjacency": (1, u64(1) + kstr("PART_OF") + u64(2) + inv(3)),
    "adjacency_empty_label": (1, u64(MAX) + kstr("") + u64(0) + inv(MAX)),
    "label_index": (2, kstr("Document") + u64(5) + inv(1)),
    "principal": (3, kstr("admin") + inv(1)),
    "label": (4, kstr("team:eng") + inv(9)),
    "commit": (5, u64(1)),
    "posting_block": (6, kstr("plan") + u64(0) + inv(4)),
    "term_set_docs": (7, b"d" + kstr("plan") + u64(3) + inv(4)),
    "set_totals": (8, b"n" + u64(MAX) + inv(4)),
    "boundary_set": (9, kstr("pii") + kstr("team:finance")),
    "boundary_log": (10, u64(7) + u64(42)),
    "audit": (11, u64(1)),
    "versioned": (12, kstr("x") + inv(5)),
}
for name, (sel, key) in keys.items():
    put("fuzz_keys", name, bytes([sel]) + key)
put("fuzz_keys", "adjacency_truncated", bytes([1]) + u64(1) + b"\x00\x09PART")
put("fuzz_keys", "label_index_trailing", bytes([2]) + kstr("L") + u64(1) + inv(1) + b"\x00")
put("fuzz_keys", "term_set_docs_bad_tag", bytes([7]) + b"x" + kstr("t") + u64(1) + inv(1))
put("fuzz_keys", "boundary_set_long_length", bytes([9]) + b"\xff\xff" + b"abc")


# ---- storage/record_codec.h: LEB128 varints, fixed64 little-endian.
def var(v):
    out = b""
    while v >= 0x80:
        out += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return out + bytes([v])


def rstr(s):
    s = s.encode() if isinstance(s, str) else s
    return var(len(s)) + s


def strs(v):
    return var(len(v)) + b"".join(rstr(s) for s in v)


def f64(v):
    return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)


HASH = bytes(range(32))
prov = var(3) + f64(1767225600000000) + rstr("admin") + HASH
props = (var(6) + rstr("b") + b"\x04\x01" + rstr("d") + b"\x03" + struct.pack("<d", 0.5)
         + rstr("i") + b"\x02" + f64(-1) + rstr("l") + b"\x06" + var(2) + b"\x01" + rstr("x")
         + b"\x02" + f64(7) + rstr("s") + b"\x01" + rstr("Q3 plan") + rstr("t") + b"\x05"
         + f64(0))
node = (b"\x01\x00" + rstr("doc-1") + strs(["Document"]) + props + strs(["pii", "team:eng"])
        + rstr("wiki") + rstr("wiki://1") + b"\x01" + prov)
put("fuzz_record_codec", "node", b"\x00" + node)
put("fuzz_record_codec", "node_inherited", b"\x00" + node + var(1) + rstr("pii") + var(9))
put("fuzz_record_codec", "node_tombstone",
    b"\x00\x01\x01" + rstr("doc-1") + strs([]) + var(0) + strs([]) + rstr("") + rstr("")
    + b"\x00" + prov)
put("fuzz_record_codec", "node_bad_format", b"\x00\x02" + node[1:])
put("fuzz_record_codec", "node_truncated", b"\x00" + node[:20])
edge = b"\x01\x00" + rstr("a") + rstr("DERIVED_FROM") + rstr("b") + var(0) + prov
put("fuzz_record_codec", "edge", b"\x01" + edge)
put("fuzz_record_codec", "edge_sanitizes", b"\x01" + edge + strs(["pii"]))
put("fuzz_record_codec", "commit",
    b"\x02\x01" + var(7) + f64(1767225600000000) + rstr("loader") + rstr("nightly import"))
put("fuzz_record_codec", "principal",
    b"\x03\x01" + rstr("eng-agent") + var(2) + b"\x01\x03" + strs(["team:*"]) + b"\x01" + var(4))
put("fuzz_record_codec", "principal_bad_role", b"\x03\x01" + rstr("p") + var(1) + b"\x09")
put("fuzz_record_codec", "token",
    b"\x04\x01" + rstr("tok-1") + rstr("admin") + HASH + f64(1) + b"\x00")
put("fuzz_record_codec", "token_expiring",
    b"\x04\x02" + rstr("tok-2") + rstr("bot") + HASH + f64(1) + b"\x00" + f64(3600000001))
put("fuzz_record_codec", "label_definition",
    b"\x05\x01" + rstr("pii") + rstr("Personal data") + b"\x01" + var(2) + var(2)
    + rstr("steward") + f64(5))
# Posting block: first_iid u64 BE, then count | n | (tf, len)*n | (delta, tf, len, set)*count.
put("fuzz_record_codec", "posting_block",
    b"\x06" + u64(10) + var(3) + var(2) + var(1) + var(5) + var(3) + var(9)
    + var(0) + var(1) + var(5) + var(0) + var(2) + var(3) + var(9) + var(1)
    + var(7) + var(1) + var(20) + var(0))
put("fuzz_record_codec", "posting_block_empty", b"\x06" + u64(0) + var(0) + var(0))
put("fuzz_record_codec", "posting_block_overflow",
    b"\x06" + u64(MAX) + var(2) + var(0) + var(0) + var(1) + var(1) + var(0) + var(1) + var(1)
    + var(1) + var(0))

# ---- audit entries: body, then prev_hash and hash (record_codec.h).
def audit(seq, action, summary, items, prev=bytes(32), h=HASH):
    body = (b"\x01" + var(seq) + f64(1767225600000000) + rstr("agent") + rstr(action) + var(3)
            + rstr(summary) + var(len(items))
            + b"".join(rstr(a) + rstr(b) + rstr(c) + var(v) for a, b, c, v in items)
            + var(len(items)) + HASH)
    return body + prev + h


SUMMARY = ("retrieve.v1 seeds=S query= max_hops=1 direction=out "
           "edge_labels=MENTIONS,REFERENCES max_items=50 max_bytes=1048576 as_of=0 "
           "policy_version=1 clearances=team:* max_nodes=10000 max_edges=50000")
put("fuzz_audit_entry", "retrieve", b"\x00" + audit(1, "retrieve", SUMMARY, [("S", "", "", 1)]))
put("fuzz_audit_entry", "write",
    b"\x00" + audit(2, "write", "ops=2", [("a", "", "", 3), ("a", "PART_OF", "b", 3)], HASH))
put("fuzz_audit_entry", "empty", b"\x00" + audit(1, "", "", []))
put("fuzz_audit_entry", "truncated", b"\x00" + audit(1, "write", "", [])[:40])
put("fuzz_audit_entry", "summary", b"\x01" + SUMMARY.encode())
put("fuzz_audit_entry", "summary_old",
    b"\x01retrieve.v1 seeds=a%20b,x%2Cy%3Dz,%2541,caf%C3%A9,-_.:*/ query=q3%20plan%3B%20100%25 "
    b"max_hops=0 direction=both edge_labels= max_items=7 max_bytes=9 as_of=3 "
    b"policy_version=12 clearances=*,team:*")
put("fuzz_audit_entry", "summary_bad_escape",
    b"\x01retrieve.v1 seeds=%4 query= max_hops=1 direction=in edge_labels= max_items=1 "
    b"max_bytes=1 as_of=0 policy_version=0 clearances=")
put("fuzz_audit_entry", "summary_other", b"\x01receipt=1 outcome=match")
CONTENT = " content=" + "0123456789abcdef" * 4
put("fuzz_audit_entry", "summary_content", b"\x01" + (SUMMARY + CONTENT).encode())
put("fuzz_audit_entry", "summary_budget_edges",
    b"\x01" + (SUMMARY + CONTENT + " budget_edges=1").encode())
put("fuzz_audit_entry", "summary_budget_edges_bad",
    b"\x01" + (SUMMARY + CONTENT + " budget_edges=2").encode())


# ---- page tokens: base64url(format 1 | version u64 | cursor | HMAC16), secret 'k'*32.
def b64url(b):
    import base64
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def token(fp, version, cursor):
    payload = b"\x01" + u64(version) + cursor
    mac = hmac.new(b"k" * 32, fp + b"\x00" + payload, hashlib.sha256).digest()[:16]
    return b64url(payload + mac)


fp = b"\x00" * 7 + b"\x08" + b"Document"
put("fuzz_page_token", "valid", bytes([len(fp)]) + fp + token(fp, 5, b"\x00\x05doc-1"))
put("fuzz_page_token", "content", b"\x03abc" + u64(1 << 63) + b"cursor")
put("fuzz_page_token", "empty_fingerprint", b"\x00" + token(b"", 0, b""))
put("fuzz_page_token", "not_base64", b"\x00page+token/==")
put("fuzz_page_token", "bad_length", b"\x00AAAAA")
put("fuzz_page_token", "noncanonical_tail", b"\x00AB")

# ---- JSONL import lines (client/jsonl_reader.h).
jsonl = {
    "node": '{"type":"node","id":"doc-00000042","labels":["Document"],"boundary":["team:eng"],'
            '"props":{"title":"Q3 plan","created_at":"2026-03-01T10:00:00Z","n":3,"x":1.5,'
            '"ok":true,"tags":["a","b"],"nums":[1,2.5]},'
            '"source":{"system":"wiki","uri":"wiki://space/page/42","authority":"imported"}}',
    "edge": '{"type":"edge","from":"msg-00000007","to":"conv-00000002","label":"PART_OF",'
            '"props":{}}',
    "delete_node": '{"type":"delete_node","id":"doc-00000042"}',
    "delete_edge": '{"type":"delete_edge","from":"m","label":"PART_OF","to":"c"}',
    "boundary": '{"type":"boundary","name":"pii","description":"Personal data",'
                '"propagate":true}',
    "escapes": '{"type":"node","id":"caf\\u00e9 \\ud83d\\ude00","props":{"s":"a\\"b\\\\c\\n"}}',
    "numbers": '{"type":"node","id":"n","props":{"big":9223372036854775807,"neg":-9223372036854775808,'
               '"e":1e308,"tiny":5e-324,"z":-0.0}}',
    "int_overflow": '{"type":"node","id":"n","props":{"n":9223372036854775808}}',
    "duplicate_key": '{"type":"node","id":"a","id":"b"}',
    "unknown_key": '{"type":"node","id":"a","lables":["X"]}',
    "nested_list": '{"type":"node","id":"a","props":{"l":[[1]]}}',
    "null_prop": '{"type":"node","id":"a","props":{"n":null}}',
    "not_object": '[1,2,3]',
    "bad_utf8": b'{"type":"node","id":"\xc3\x28"}',
    "truncated": '{"type":"node","id":"a"',
    "timestamp_offset": '{"type":"node","id":"a","props":{"t":"2026-03-01T10:00:00+02:00"}}',
    # Found by fuzz_jsonl: nlohmann stops at a NUL byte, so the fast parser
    # accepted what the slow one refused for the invalid UTF-8 after it.
    "nul_after_object": b'{"type":"node","id":"a","props":{"t":"x"}}\x00\xff',
}
for name, line in jsonl.items():
    put("fuzz_jsonl", name, line)

# ---- Neo4j CSV (client/neo4j_csv.h); first byte: 0 nodes, 1 relationships.
put("fuzz_csv", "nodes",
    b"\x00id:ID,:LABEL,boundary:string[],title,age:int,score:double,ok:boolean,"
    b"at:datetime,tags:string[],source_system,source_uri,source_authority\n"
    b"doc-1,Document;Report,pii;team:eng,\"Q3, \"\"plan\"\"\",42,1.5,TRUE,"
    b"2026-03-01T10:00:00Z,a;b,wiki,wiki://1,imported\r\n"
    b"doc-2,Document,,,,,,,,,,\n")
put("fuzz_csv", "relationships",
    b"\x01:START_ID,:END_ID,:TYPE,weight:float,skip:IGNORE\ndoc-1,doc-2,DERIVED_FROM,0.5,x\n")
put("fuzz_csv", "quoted_newline", b"\x00:ID,note\n\"a\",\"line1\nline2\"\n\r\n\"b\",\"\"\n")
put("fuzz_csv", "unclosed_quote", b"\x00:ID\n\"abc\n")
put("fuzz_csv", "quote_in_field", b"\x00:ID,x\na\"b,c\n\"d\"e,f\n")
put("fuzz_csv", "bad_header", b"\x00name,age:integer\nx,1\n")
put("fuzz_csv", "field_count", b"\x01:START_ID,:END_ID,:TYPE\na,b\n")
put("fuzz_csv", "lone_cr", b"\x00:ID\r\ra\r")
import gzip
put("fuzz_csv", "gzip", b"\x00" + gzip.compress(b":ID,:LABEL\nx,Doc\n", mtime=0))


# ---- request messages: protobuf wire format; first byte picks the RPC
# (tests/fuzz/fuzz_request_validation.cc).
def tag(field, wire):
    return var((field << 3) | wire)


def pstr(field, s):
    s = s.encode() if isinstance(s, str) else s
    return tag(field, 2) + var(len(s)) + s


def pint(field, v):
    return tag(field, 0) + var(v & 0xFFFFFFFFFFFFFFFF)


def msg(field, body):
    return pstr(field, body)


def val_str(s):
    return pstr(1, s)


def prop(k, value):
    return msg(3, pstr(1, k) + msg(2, value))


node_msg = (pstr(1, "doc-1") + pstr(2, "Document") + prop("title", val_str("Q3"))
            + prop("n", pint(2, 7)) + prop("t", msg(5, pint(1, 1767225600)))
            + prop("l", msg(6, msg(1, pint(4, 1)) + msg(1, pint(2, 2))))
            + pstr(4, "team:eng") + msg(5, pstr(1, "wiki") + pint(3, 1)))
edge_msg = pstr(1, "a") + pstr(2, "DERIVED_FROM") + pstr(3, "b")
requests = {
    "create_principal": (0, pstr(1, "eng-agent") + pint(2, 1) + pstr(3, "team:eng")
                         + pstr(3, "team:*") + pstr(3, "team:eng")),
    "create_principal_bad_role": (0, pstr(1, "p") + pint(2, 9)),
    "get_principal": (1, pstr(1, "admin")),
    "set_roles": (4, pstr(1, "p") + pint(2, 5) + pint(2, 2)),
    "set_clearances": (5, pstr(1, "p") + pstr(2, "*") + pstr(2, "pii")),
    "issue_token": (6, pstr(1, "p")),
    "write": (9, msg(1, msg(1, node_msg)) + msg(1, msg(3, edge_msg)) + msg(1, pstr(2, "gone"))
              + msg(1, msg(4, edge_msg))
              + msg(1, msg(5, pstr(1, "pii") + pstr(2, "Personal") + pint(3, 1)))
              + pstr(2, "a commit")),
    "write_bad_id": (9, msg(1, msg(1, pstr(1, "") + pstr(2, "Document")))),
    "write_empty_op": (9, msg(1, b"")),
    "import": (10, msg(1, pstr(1, "load") + pint(2, 1)) + msg(2, msg(1, node_msg))),
    "get_node": (11, pstr(1, "doc-1") + pint(2, 3)),
    "list_nodes": (12, pstr(1, "Document") + pint(2, 5000) + pstr(3, "tok")),
    "list_nodes_negative": (12, pstr(1, "Document") + pint(2, -1)),
    "list_neighbors": (13, pstr(1, "doc-1") + pint(2, 1) + pstr(3, "PART_OF") + pint(4, 10)),
    "list_neighbors_bad_direction": (13, pstr(1, "doc-1") + pint(2, 77)),
    "list_entries": (15, pstr(1, "agent") + pstr(2, "retrieve") + msg(4, pint(1, 100))
                     + msg(5, pint(1, 50))),
    "access_report": (17, pstr(1, "agent") + msg(2, pint(1, -62135596801))),
    "exposure_report": (18, pstr(1, "doc-1") + msg(2, pint(1, 1) + pint(2, 999999999))),
    "upstream": (19, pstr(1, "doc-1") + pint(2, 3) + pstr(3, "DERIVED_FROM")),
    "path": (21, pstr(1, "a") + pstr(2, "b") + pint(3, 5)),
    "search": (22, pstr(1, "q3 plan") + pstr(2, "Document") + pint(3, 10)),
    "retrieve": (23, pstr(1, "S") + pstr(1, "T") + pstr(2, "plan")
                 + msg(3, pint(1, 1) + pstr(2, "REFERENCES") + pstr(2, "MENTIONS")
                       + pstr(2, "REFERENCES") + pint(3, 1))
                 + msg(4, pint(1, 7) + pint(2, 9)) + pint(5, 3)),
    "retrieve_duplicate_seed": (23, pstr(1, "S") + pstr(1, "S")),
    "retrieve_defaults": (23, pstr(2, "q")),
    "define_label": (24, pstr(1, "pii") + pstr(2, "Personal data") + pint(3, 1)),
    "list_labels": (25, pint(1, 0)),
    "assign_labels": (26, pstr(1, "doc-1") + pstr(2, "Document") + pstr(3, "doc-2")
                      + pstr(4, "pii") + pstr(5, "team:eng") + pstr(6, "why")),
    "sanitize_edge": (27, pstr(1, "a") + pstr(2, "b") + pstr(3, "pii") + pstr(5, "anonymised")),
    "label_history": (28, pstr(1, "doc-1") + pint(2, 2)),
    "bad_utf8": (11, pstr(1, b"\xff\xfe")),
    "unknown_field": (11, pstr(1, "a") + pint(99, 1)),
}
for name, (sel, body) in requests.items():
    put("fuzz_request_validation", name, bytes([sel]) + body)
