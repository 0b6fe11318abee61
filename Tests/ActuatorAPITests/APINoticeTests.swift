import APITestSupport
import Actuator
import ActuatorAPI
import Hummingbird
import HummingbirdTesting
import MetricStore
import Testing
import TimeSeries

@Suite struct APINoticeTests {
    static let step = StandInControl.step
    /// A window covering forecast steps 2 and 3 (times now+600 and now+900).
    static let start = APIHarness.now + 2 * step
    static let end = APIHarness.now + 4 * step

    @Test func aPostedNoticeIsStoredAsANoticeEventAndListed() async throws {
        let harness = try APIHarness()
        try await harness.run { (client: any TestClientProtocol) async throws in
            let posted = try await client.call(.post, "/v1/notices", json: """
                {"group": "web", "start": \(Self.start), "end": \(Self.end), "multiplier": 2, "note": "launch"}
                """)
            #expect(posted.status == .created, "\(posted.text)")
            let notice = try posted.decode(NoticeView.self)
            #expect(notice.group == "web" && notice.start == Self.start && notice.end == Self.end)
            #expect(notice.multiplier == 2 && notice.level == nil && notice.note == "launch")
            #expect(notice.createdAt == APIHarness.now)

            let listed = try await client.call(.get, "/v1/notices?group=web")
            #expect(listed.status == .ok)
            #expect(try listed.decode([String: [NoticeView]].self)["notices"] == [notice])
            let other = try await client.call(.get, "/v1/notices?group=batch")
            #expect(try other.decode([String: [NoticeView]].self)["notices"] == [])
            let all = try await client.call(.get, "/v1/notices")
            #expect(try all.decode([String: [NoticeView]].self)["notices"]?.count == 1)
        }
        // The store holds it as the same kind of event the calendar uses, scoped to the group.
        let events = try harness.control.store.events(kind: .notice)
        #expect(events.count == 1)
        #expect(events.first?.event.scope == .groups(["web"]))
        #expect(events.first?.event.multiplier == 2)
    }

    struct NoticeList: Decodable {
        var notices: [NoticeView]
        var truncated: Bool?
    }

    @Test func noticesCanBeListedFromATimeAndLimited() async throws {
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            for k in 0..<5 {
                let start = Self.start + Int64(k) * 1000
                let posted = try await client.call(.post, "/v1/notices", json: """
                    {"group": "web", "start": \(start), "end": \(start + 600), "level": \(k)}
                    """)
                #expect(posted.status == .created)
            }
            let all = try await client.call(.get, "/v1/notices").decode(NoticeList.self)
            #expect(all.notices.map(\.level) == [0, 1, 2, 3, 4] && all.truncated == nil)
            // Ending after start + 2600: the notices starting at +2000 (ends +2600, excluded), +3000, +4000.
            let open = try await client.call(.get, "/v1/notices?from=\(Self.start + 2600)").decode(NoticeList.self)
            #expect(open.notices.map(\.level) == [3, 4])
            let limited = try await client.call(.get, "/v1/notices?group=web&limit=2").decode(NoticeList.self)
            #expect(limited.notices.map(\.level) == [0, 1] && limited.truncated == true)
            expectError(try await client.call(.get, "/v1/notices?limit=0"), .badRequest, "bad_request", mentioning: "'limit'")
            expectError(try await client.call(.get, "/v1/notices?from=soon"), .badRequest, "bad_request", mentioning: "'from'")
        }
    }

    @Test func aNoticeChangesTheForecastOfTheStepsItCovers() async throws {
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            let before = try await client.call(.get, "/v1/forecasts/web").decode(ForecastView.self)
            #expect(before.steps.count == StandInControl.horizon && before.notices.isEmpty)
            let posted = try await client.call(.post, "/v1/notices", json: """
                {"group": "web", "start": \(Self.start), "end": \(Self.end), "multiplier": 1.5}
                """)
            let id = try posted.decode(NoticeView.self).id
            let after = try await client.call(.get, "/v1/forecasts/web").decode(ForecastView.self)
            #expect(after.notices == [id])
            for (b, a) in zip(before.steps, after.steps) {
                let covered = Self.start <= a.time && a.time < Self.end
                // The stand-in scales mean and spread by the multiplier: exact up to rounding.
                let expected = covered ? b.mean * 1.5 : b.mean
                #expect(abs(a.mean - expected) <= 1e-9 * expected, "step \(a.step)")
                #expect(abs((a.quantiles["0.95"] ?? .nan) - (covered ? 1.5 : 1) * (b.quantiles["0.95"] ?? .nan)) < 1e-9 * b.mean)
            }
            #expect(after.steps.filter { Self.start <= $0.time && $0.time < Self.end }.count == 2)
            // Another group's forecast is untouched.
            let batch = try await client.call(.get, "/v1/forecasts/batch").decode(ForecastView.self)
            #expect(batch.notices.isEmpty)
        }
    }

    @Test func malformedNoticesAreRefusedNamingTheField() async throws {
        let s = Self.start, e = Self.end
        let cases: [(body: String, status: HTTPResponse.Status, code: String, mentions: String)] = [
            (#"{"start": \#(s), "end": \#(e), "level": 5}"#, .badRequest, "bad_request", "missing field 'group'"),
            (#"{"group": "web", "end": \#(e), "level": 5}"#, .badRequest, "bad_request", "missing field 'start'"),
            (#"{"group": "web", "start": "soon", "end": \#(e), "level": 5}"#, .badRequest, "bad_request", "field 'start' must be an integer"),
            (#"{"group": "web", "start": 1.5, "end": \#(e), "level": 5}"#, .badRequest, "bad_request", "field 'start' must be an integer"),
            (#"{"group": 7, "start": \#(s), "end": \#(e), "level": 5}"#, .badRequest, "bad_request", "field 'group' must be a string"),
            (#"{"group": null, "start": \#(s), "end": \#(e), "level": 5}"#, .badRequest, "bad_request", "field 'group' must not be null"),
            (#"{"group": "web", "start": \#(s), "end": \#(e), "level": 5, "note": null}"#, .badRequest, "bad_request", "field 'note' must not be null"),
            (#"{"group": "web", "start": \#(s), "end": \#(e), "level": "high"}"#, .badRequest, "bad_request", "field 'level' must be a number"),
            (#"{"group": "web", "start": \#(s), "end": \#(e), "multipler": 2}"#, .badRequest, "bad_request", "unknown field 'multipler'"),
            (#"{"group": "web", "start": \#(e), "end": \#(s), "level": 5}"#, .unprocessableContent, "invalid", "'start' (\(e)) must be before field 'end'"),
            (#"{"group": "web", "start": \#(s), "end": \#(s), "level": 5}"#, .unprocessableContent, "invalid", "must be before"),
            (#"{"group": "web", "start": \#(s), "end": \#(e), "level": 5, "multiplier": 2}"#, .unprocessableContent, "invalid", "not both"),
            (#"{"group": "web", "start": \#(s), "end": \#(e)}"#, .unprocessableContent, "invalid", "neither"),
            (#"{"group": "web", "start": \#(s), "end": \#(e), "level": -1}"#, .unprocessableContent, "invalid", "'level' must be 0 or more"),
            (#"{"group": "web", "start": \#(s), "end": \#(e), "multiplier": 0}"#, .unprocessableContent, "invalid", "'multiplier' must be greater than 0"),
            (#"{"group": "web", "start": -9223372036854775808, "end": 9223372036854775807, "level": 1}"#, .unprocessableContent, "invalid", "field 'start' must lie within ±1000000000000 Unix seconds"),
            (#"{"group": "web", "start": 0, "end": 1000000000000, "level": 1}"#, .unprocessableContent, "invalid", "field 'end' must lie within"),
            (#"{"group": "", "start": \#(s), "end": \#(e), "level": 5}"#, .unprocessableContent, "invalid", "'group' must not be empty"),
            (#"{"group": "web\u0000", "start": \#(s), "end": \#(e), "level": 5}"#, .unprocessableContent, "invalid", "control characters"),
            (#"{"group": "web", "start": \#(s), "end": \#(e), "level": 1e400}"#, .badRequest, "bad_request", "level"),
            (#"[{"group": "web"}]"#, .badRequest, "bad_request", "must be a JSON object"),
            (#""web""#, .badRequest, "bad_request", "must be a JSON object"),
            (#"{"group": "web", "start": "#, .badRequest, "bad_request", "not valid JSON: Unexpected end of file"),
            (#"{"group": "web", "start": NaN, "end": 1, "level": 1}"#, .badRequest, "bad_request", "not valid JSON: Invalid value around character 26"),
            ("", .badRequest, "bad_request", "empty"),
        ]
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            for c in cases {
                let response = try await client.call(.post, "/v1/notices", json: c.body)
                expectError(response, c.status, c.code, mentioning: c.mentions)
            }
            // Nothing was stored by any of them.
            let listed = try await client.call(.get, "/v1/notices")
            #expect(try listed.decode([String: [NoticeView]].self)["notices"] == [])
        }
    }

    @Test func aBodyThatIsNotDeclaredAsJSONIsRefusedWith415() async throws {
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            var headers = APIHarness.auth
            headers[.contentType] = "application/x-www-form-urlencoded"
            let response = try await client.call(.post, "/v1/notices", json: "group=web", headers: headers)
            expectError(response, .unsupportedMediaType, "unsupported_media_type", mentioning: "application/json")
        }
    }

    @Test func unknownGroupsAre404Everywhere() async throws {
        try await APIHarness().run { (client: any TestClientProtocol) async throws in
            expectError(try await client.call(.post, "/v1/notices", json: """
                {"group": "nope", "start": \(Self.start), "end": \(Self.end), "level": 3}
                """), .notFound, "unknown_group", mentioning: "'nope'")
            expectError(try await client.call(.get, "/v1/forecasts/nope"), .notFound, "unknown_group", mentioning: "'nope'")
            expectError(try await client.call(.get, "/v1/notices?group=nope"), .notFound, "unknown_group")
            expectError(try await client.call(.get, "/v1/shadows?group=nope"), .notFound, "unknown_group")
            expectError(try await client.call(.post, "/v1/metrics", json: """
                [{"group": "web", "metric": "tps", "value": 1}, {"group": "nope", "metric": "tps", "value": 1}]
                """), .notFound, "unknown_group", mentioning: "[1].group")
            // A percent-encoded group name is decoded before the lookup.
            expectError(try await client.call(.get, "/v1/forecasts/we%20b"), .notFound, "unknown_group", mentioning: "'we b'")
            #expect(try await client.call(.get, "/v1/forecasts/w%65b").status == .ok)
        }
    }
}
