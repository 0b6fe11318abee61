import Actuator
import Scaling
import Testing

@Suite struct WallClockTests {
    @Test func manualClockMovesOnlyWhenAdvanced() {
        let clock = ManualWallClock(1_000)
        #expect(clock.now() == 1_000)
        clock.advance(by: 300)
        #expect(clock.now() == 1_300)
    }

    @Test func systemClockIsUnixSeconds() {
        // 2024-01-01 .. 2100-01-01: catches milliseconds or a zero clock, not the exact time.
        #expect((1_704_067_200..<4_102_444_800).contains(SystemWallClock().now()))
    }
}
