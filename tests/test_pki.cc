#include "tests/test_pki.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ctxgraph {
namespace {

constexpr char kNewKey[] = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

// Runs `command` in `dir` with its output in <dir>/openssl.log; "" on
// success, else the command and the log.
std::string RunIn(const std::string& dir, const std::string& command) {
  const std::string log = dir + "/openssl.log";
  const std::string line = "cd '" + dir + "' && " + command + " >'" + log + "' 2>&1";
  if (std::system(line.c_str()) == 0) return "";
  return "failed: " + command + "\n" + ReadTestFile(log);
}

// A CA named `name`: <name>.crt and <name>.key.
std::string MakeCa(const std::string& dir, const std::string& name) {
  return RunIn(dir, "openssl req -x509 " + std::string(kNewKey) + " -keyout " + name +
                        ".key -out " + name + ".crt -subj /CN=" + name +
                        " -days 2 -addext basicConstraints=critical,CA:TRUE"
                        " -addext keyUsage=critical,keyCertSign,cRLSign");
}

// <name>.crt and <name>.key for `subject`, signed by CA `ca`, with the
// extensions `extensions` (an openssl extfile's lines).
std::string MakeLeaf(const std::string& dir, const std::string& ca, const std::string& name,
                     const std::string& subject, const std::string& extensions, int serial) {
  std::ofstream(dir + "/" + name + ".ext") << extensions;
  std::string error = RunIn(dir, "openssl req -new " + std::string(kNewKey) + " -keyout " + name +
                                     ".key -out " + name + ".csr -subj /CN=" + subject);
  if (!error.empty()) return error;
  return RunIn(dir, "openssl x509 -req -in " + name + ".csr -CA " + ca + ".crt -CAkey " + ca +
                        ".key -set_serial " + std::to_string(serial) + " -days 2 -extfile " + name +
                        ".ext -out " + name + ".crt");
}

}  // namespace

std::string ReadTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TestPki MakeTestPki(const std::string& dir) {
  TestPki pki;
  if (std::system("command -v openssl >/dev/null 2>&1") != 0) {
    pki.error = "the openssl binary is not on PATH (tools/setup.sh installs it)";
    return pki;
  }
  constexpr char kClientExt[] = "extendedKeyUsage=clientAuth\n";
  for (const std::string& error :
       {MakeCa(dir, "ca"),
        MakeLeaf(dir, "ca", "server", "localhost",
                 "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n", 2),
        MakeLeaf(dir, "ca", "client", "test-client", kClientExt, 3), MakeCa(dir, "other-ca"),
        MakeLeaf(dir, "other-ca", "other-client", "test-client", kClientExt, 4)}) {
    if (!error.empty()) {
      pki.error = error;
      return pki;
    }
  }
  pki.ca_cert = dir + "/ca.crt";
  pki.server_cert = dir + "/server.crt";
  pki.server_key = dir + "/server.key";
  pki.client_cert = dir + "/client.crt";
  pki.client_key = dir + "/client.key";
  pki.other_ca_cert = dir + "/other-ca.crt";
  pki.other_client_cert = dir + "/other-client.crt";
  pki.other_client_key = dir + "/other-client.key";
  return pki;
}

}  // namespace ctxgraph
