@testable import Actuator
import Prometheus
import Testing

/// The text exposition format (0.0.4) as client libraries serve it: swift-prometheus's own output,
/// the format documentation's example, and the edge cases and garbage a scrape can meet.
@Suite struct PrometheusTextTests {
    static func value(_ e: Exposition, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        e.samples.first { $0.name == name && $0.labels == labels }?.value
    }

    @Test func swiftPrometheusOutputParses() throws {
        let registry = PrometheusCollectorRegistry()
        let ok = registry.makeCounter(name: "http_requests_total", labels: [("job", "web"), ("code", "200")],
                                      help: "Requests served, by C:\\ path")
        ok.increment(by: Int64(1027))
        registry.makeCounter(name: "http_requests_total", labels: [("job", "web"), ("code", "500")], help: "Requests served, by C:\\ path").increment(by: Int64(3))
        // A label value with every character the format escapes.
        registry.makeCounter(name: "odd_total", labels: [("path", "C:\\DIR\\\"FILE\"\nnext")]).increment(by: Int64(2))
        registry.makeGauge(name: "queue_depth", labels: [("queue", "orders")]).set(-12.5)
        registry.makeGauge(name: "temperature").set(Double.nan)
        let histogram = registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(metricName: "latency", unitName: "seconds", helpText: "Request latency"),
            labels: [("job", "web")], buckets: [0.1, 0.5])
        histogram.record(0.05)
        histogram.record(0.3)
        histogram.record(7.0)

        let text = registry.emitToString()
        let e = try PrometheusText.parse(text)
        #expect(Self.value(e, "http_requests_total", ["job": "web", "code": "200"]) == 1027, "\(text)")
        #expect(Self.value(e, "http_requests_total", ["job": "web", "code": "500"]) == 3)
        #expect(Self.value(e, "odd_total", ["path": "C:\\DIR\\\"FILE\"\nnext"]) == 2, "\(text)")
        #expect(Self.value(e, "queue_depth", ["queue": "orders"]) == -12.5)
        #expect(Self.value(e, "temperature")?.isNaN == true)
        #expect(Self.value(e, "latency_seconds_bucket", ["job": "web", "le": "0.1"]) == 1, "\(text)")
        #expect(Self.value(e, "latency_seconds_bucket", ["job": "web", "le": "+Inf"]) == 3)
        #expect(Self.value(e, "latency_seconds_count", ["job": "web"]) == 3)
        #expect(Self.value(e, "latency_seconds_sum", ["job": "web"]) == 7.35)
        #expect(e.types["http_requests_total"] == "counter" && e.types["queue_depth"] == "gauge" && e.types["latency_seconds"] == "histogram")
    }

    /// The example of the format's documentation (prometheus.io, "Exposition formats").
    static let documented = #"""
        # HELP http_requests_total The total number of HTTP requests.
        # TYPE http_requests_total counter
        http_requests_total{method="post",code="200"} 1027 1395066363000
        http_requests_total{method="post",code="400"}    3 1395066363000

        # Escaping in label values:
        msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9

        # Minimalistic line:
        metric_without_timestamp_and_labels 12.47

        # A weird metric from before the epoch:
        something_weird{problem="division by zero"} +Inf -3982045

        # A histogram, which has a pretty complex representation in the text format:
        # HELP http_request_duration_seconds A histogram of the request duration.
        # TYPE http_request_duration_seconds histogram
        http_request_duration_seconds_bucket{le="0.05"} 24054
        http_request_duration_seconds_bucket{le="0.1"} 33444
        http_request_duration_seconds_bucket{le="0.2"} 100392
        http_request_duration_seconds_bucket{le="0.5"} 129389
        http_request_duration_seconds_bucket{le="1"} 133988
        http_request_duration_seconds_bucket{le="+Inf"} 144320
        http_request_duration_seconds_sum 53423
        http_request_duration_seconds_count 144320

        # Finally a summary, which has a complex representation, too:
        # HELP rpc_duration_seconds A summary of the RPC duration in seconds.
        # TYPE rpc_duration_seconds summary
        rpc_duration_seconds{quantile="0.01"} 3102
        rpc_duration_seconds{quantile="0.05"} 3272
        rpc_duration_seconds{quantile="0.5"} 4773
        rpc_duration_seconds{quantile="0.9"} 9001
        rpc_duration_seconds{quantile="0.99"} 76656
        rpc_duration_seconds_sum 1.7560473e+07
        rpc_duration_seconds_count 2693
        """#

    @Test func theDocumentedExampleParses() throws {
        let e = try PrometheusText.parse(Self.documented)
        #expect(e.samples.count == 20)
        let post = try #require(e.samples.first { $0.labels == ["method": "post", "code": "400"] })
        #expect(post.value == 3 && post.timestamp == 1_395_066_363_000)
        #expect(Self.value(e, "msdos_file_access_time_seconds", ["path": #"C:\DIR\FILE.TXT"#, "error": "Cannot find file:\n\"FILE.TXT\""]) == 1.458255915e9)
        #expect(Self.value(e, "metric_without_timestamp_and_labels") == 12.47)
        let weird = try #require(e.samples.first { $0.name == "something_weird" })
        #expect(weird.value == .infinity && weird.timestamp == -3_982_045)
        #expect(Self.value(e, "http_request_duration_seconds_bucket", ["le": "+Inf"]) == 144_320)
        #expect(Self.value(e, "rpc_duration_seconds_sum") == 1.7560473e7)
        #expect(e.types == ["http_requests_total": "counter", "http_request_duration_seconds": "histogram", "rpc_duration_seconds": "summary"])
    }

    @Test func edgeCasesOfTheFormat() throws {
        let text = "  \t\r\n# just a comment\r\n# TYPE a_total counter\r\na_total{x=\"1\",} 5\r\nb{ y = \"2\" , z=\"\" }\t-Inf\n"
            + "c NaN\nd{} 1e-3 17\ne:with:colons -0\nf +Inf\n# EOF"
        let e = try PrometheusText.parse(text)
        #expect(Self.value(e, "a_total", ["x": "1"]) == 5)
        #expect(Self.value(e, "b", ["y": "2", "z": ""]) == -.infinity)
        #expect(Self.value(e, "c")?.isNaN == true)
        let d = try #require(e.samples.first { $0.name == "d" })
        #expect(d.value == 0.001 && d.timestamp == 17 && d.labels.isEmpty)
        #expect(Self.value(e, "e:with:colons") == 0)
        #expect(Self.value(e, "f") == .infinity)
        #expect(try PrometheusText.parse("").samples.isEmpty)
        #expect(try PrometheusText.parse("\n\n# HELP x anything at all: \"{}\\ \n").samples.isEmpty)
        // No newline at the end of the last line.
        #expect(try PrometheusText.parse("g 2").samples == [ExpositionSample(name: "g", value: 2)])
    }

    @Test(arguments: [
        ("<html><body>Not Found</body></html>", 1, "expected a metric name"),
        ("{\"status\":\"ok\"}", 1, "expected a metric name"),
        ("ok 1\nrequests_total\n", 2, "has no value"),
        ("x{a=\"b\" 1", 1, "expected \",\" or \"}\""),
        ("x{a=\"b 1", 1, "unterminated value"),
        ("x{a=\"b\\t\"} 1", 1, "invalid escape"),
        ("x{a=\"1\",a=\"2\"} 1", 1, "given twice"),
        ("x{a=b} 1", 1, "expected a quoted value"),
        ("x{1a=\"b\"} 1", 1, "expected a label name"),
        ("x 1,5", 1, "not a number"),
        ("x 0x10", 1, "not a number"),
        ("x infinity", 1, "not a number"),
        ("x 1 12.5", 1, "timestamp"),
        ("x 1 2 3", 1, "after the timestamp"),
        ("a 1\nb 2\n# TYPE b countr\n", 3, "unknown type"),
        ("x{a=\"b\"}", 1, "has no value"),
    ])
    func garbageIsRefusedWithItsLine(text: String, line: Int, message: String) {
        do {
            let e = try PrometheusText.parse(text)
            Issue.record("\(text.debugDescription) parsed as \(e.samples)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.message.contains(message), "\(error)")
        }
    }

    @Test func binaryBytesAreRefusedNotTrapped() {
        let bytes: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0xFF, 0xFE, 0x0A, 0x00, 0x80]  // a gzip header, say
        #expect(throws: ExpositionError.self) { try PrometheusText.parse(bytes) }
    }

    @Test func seriesNamesAreSortedAndEscaped() {
        #expect(PrometheusText.seriesName("r", ["b": "x\"y", "a": "1"]) == #"r{a="1",b="x\"y"}"#)
        #expect(PrometheusText.seriesName("r", [:]) == "r")
    }
}
