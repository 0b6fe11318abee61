@testable import Actuator
import Features
import Foundation
import PSMConfiguration
import Testing

/// `[actuator.routing]`: each kind with its keys, the defaults, and every bad key refused by name.
@Suite struct ConfigurationRoutingTests {
    static func config(_ routing: String?) -> String {
        """
        [actuator]
        registry = "Models"

        [[actuator.groups]]
        name = "web"
        unit = 10
        \(routing.map { "\n[actuator.routing]\n\($0)" } ?? "")
        """
    }

    static func parse(_ routing: String?, base: String = "/etc/psm") throws -> RoutingConfiguration {
        try ActuatorConfiguration.parse(config(routing), fileName: "psm.toml", baseDirectory: base).routing
    }

    @Test func absentOrNoneRoutesNothing() throws {
        #expect(try Self.parse(nil) == RoutingConfiguration())
        #expect(try Self.parse("kind = \"none\"").kind == .none)
        #expect(try Self.parse(nil).makeRouter() is NoTrafficRouter)
    }

    @Test func haproxyWithEveryKey() throws {
        let r = try Self.parse("""
            kind = "haproxy"
            socket = "run/admin.sock"
            backend = "be_{group}"
            server = "{group}-{domain}"
            address = "{ip}"
            port = 8080
            timeout = 1.5
            drain_timeout = 45
            retry_max = 120
            """)
        #expect(r.kind == .haproxy && r.socket == "/etc/psm/run/admin.sock" && r.backend == "be_{group}")
        #expect(r.server == "{group}-{domain}" && r.address == "{ip}" && r.port == 8080 && r.timeout == 1.5)
        #expect(r.drainTimeout == 45 && r.retryMax == 120)
        let router = try #require(try r.makeRouter() as? HAProxyRouter)
        #expect(router.backend(of: "web") == "be_web" && router.socketPath == "/etc/psm/run/admin.sock" && router.defaultPort == 8080)
    }

    @Test func haproxyDefaults() throws {
        let r = try Self.parse("kind = \"haproxy\"\nsocket = \"/run/haproxy/admin.sock\"")
        #expect(r.backend == "{group}" && r.server == "{domain}" && r.address == "{ip}" && r.port == nil)
        #expect(r.timeout == 2 && r.drainTimeout == 30 && r.retryMax == 600)
    }

    @Test func aTCPRuntimeAPIIsKeptAsGivenNotResolvedAgainstTheFile() throws {
        #expect(try Self.parse("kind = \"haproxy\"\nsocket = \"tcp://127.0.0.1:9999\"").socket == "tcp://127.0.0.1:9999")
        #expect(try Self.parse("kind = \"haproxy\"\nsocket = \"tcp://[::1]:9999\"").socket == "tcp://[::1]:9999")
    }

    @Test func webhookWithSecretOrSecretFile() throws {
        let r = try Self.parse("kind = \"webhook\"\nurl = \"https://lb.example/psm\"\nsecret = \"s3cret\"\naddress = \"{domain}.internal:8080\"")
        #expect(r.kind == .webhook && r.url == "https://lb.example/psm" && r.secret == "s3cret" && r.timeout == 5)
        #expect(try r.makeRouter() is WebhookRouter)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("routing-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "from-file\n".write(to: dir.appendingPathComponent("hook.key"), atomically: true, encoding: .utf8)
        let f = try Self.parse("kind = \"webhook\"\nurl = \"http://127.0.0.1:9/x\"\nsecret_file = \"hook.key\"", base: dir.path)
        #expect(f.secret == "from-file")
    }

    @Test(arguments: [
        ("colour = 1", "[actuator.routing] colour", "unknown key"),
        ("kind = \"nginx\"", "[actuator.routing] kind", "expected \"none\", \"haproxy\" or \"webhook\""),
        ("kind = 3", "[actuator.routing] kind", "expected a string"),
        ("kind = \"none\"\nsocket = \"/x\"", "[actuator.routing] socket", "routes nothing"),
        ("kind = \"haproxy\"", "[actuator.routing] socket", "required"),
        ("kind = \"haproxy\"\nsocket = \" \"", "[actuator.routing] socket", "required"),
        ("kind = \"haproxy\"\nsocket = \"tcp://127.0.0.1\"", "[actuator.routing] socket", "tcp://HOST:PORT"),
        ("kind = \"haproxy\"\nsocket = \"tcp://:9999\"", "[actuator.routing] socket", "tcp://HOST:PORT"),
        ("kind = \"haproxy\"\nsocket = \"tcp://h:70000\"", "[actuator.routing] socket", "tcp://HOST:PORT"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\nurl = \"http://x/\"", "[actuator.routing] url", "webhook"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\nsecret = \"k\"", "[actuator.routing] secret", "webhook"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\nbackend = \"be {group}\"", "[actuator.routing] backend", "HAProxy names"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\nbackend = \"{grp}\"", "[actuator.routing] backend", "unknown placeholder {grp}"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\nbackend = \"\"", "[actuator.routing] backend", "empty"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\nserver = \"{group}\"", "[actuator.routing] server", "must contain {domain}"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\nserver = \"{domain};x\"", "[actuator.routing] server", "HAProxy names"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\naddress = \"{ipv4}\"", "[actuator.routing] address", "unknown placeholder"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\naddress = \"{ip} 80\"", "[actuator.routing] address", "address template"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\nport = 0", "[actuator.routing] port", "from 1 to 65535"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\nport = 65536", "[actuator.routing] port", "from 1 to 65535"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\ntimeout = 0", "[actuator.routing] timeout", "above 0 and at most 60"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\ntimeout = 61", "[actuator.routing] timeout", "above 0 and at most 60"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\ndrain_timeout = -1", "[actuator.routing] drain_timeout", "from 0 to 86400"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\ndrain_timeout = 86401", "[actuator.routing] drain_timeout", "from 0 to 86400"),
        ("kind = \"haproxy\"\nsocket = \"/s\"\nretry_max = 0", "[actuator.routing] retry_max", "from 1 to 86400"),
        ("kind = \"webhook\"", "[actuator.routing] url", "required"),
        ("kind = \"webhook\"\nurl = \"ftp://x/\"", "[actuator.routing] url", "http or https"),
        ("kind = \"webhook\"\nurl = \"http://x/\"\nsocket = \"/s\"", "[actuator.routing] socket", "haproxy"),
        ("kind = \"webhook\"\nurl = \"http://x/\"\nbackend = \"b\"", "[actuator.routing] backend", "haproxy"),
        ("kind = \"webhook\"\nurl = \"http://x/\"\nsecret = \"\"", "[actuator.routing] secret", "empty"),
        ("kind = \"webhook\"\nurl = \"http://x/\"\nsecret = \"a\"\nsecret_file = \"b\"", "[actuator.routing] secret_file", "not both"),
        ("kind = \"webhook\"\nurl = \"http://x/\"\nsecret_file = \"/no/such/file\"", "[actuator.routing] secret_file", "cannot read"),
    ])
    func badKeysAreRefusedByName(lines: String, location: String, message: String) throws {
        do {
            _ = try Self.parse(lines)
            Issue.record("accepted: \(lines)")
        } catch let error as ConfigurationError {
            #expect(error.location == location, "\(lines): \(error)")
            #expect(error.message.contains(message), "\(lines): \(error.message)")
        } catch {
            Issue.record("not a ConfigurationError: \(error)")
        }
    }

    @Test func routingMustBeATable() {
        #expect(throws: ConfigurationError.self) {
            _ = try ActuatorConfiguration.parse("[actuator]\nregistry = \"M\"\nrouting = 1\n[[actuator.groups]]\nname = \"w\"\nunit = 1\n",
                                                fileName: "psm.toml")
        }
    }
}
