import EtcdServer
import Testing

/// Each input with what Go 1.19.8's `time.ParseDuration` (the Go etcd 3.4.23 is built with)
/// returned for it: nanoseconds, or the error message. Inputs that are not valid UTF-8 are left
/// out: a Swift string cannot hold them (arguments and environment arrive repaired).
private enum GoAnswer: Equatable {
    case nanoseconds(Int64)
    case error(String)
}

private let goAnswers: [(String, GoAnswer)] = [
    ("0", .nanoseconds(0)),
    ("5s", .nanoseconds(5000000000)),
    ("30s", .nanoseconds(30000000000)),
    ("1478s", .nanoseconds(1478000000000)),
    ("-5s", .nanoseconds(-5000000000)),
    ("+5s", .nanoseconds(5000000000)),
    ("-0", .nanoseconds(0)),
    ("+0", .nanoseconds(0)),
    ("5.0s", .nanoseconds(5000000000)),
    ("5.6s", .nanoseconds(5600000000)),
    ("5.s", .nanoseconds(5000000000)),
    (".5s", .nanoseconds(500000000)),
    ("1.0s", .nanoseconds(1000000000)),
    ("1.00s", .nanoseconds(1000000000)),
    ("1.004s", .nanoseconds(1004000000)),
    ("1.0040s", .nanoseconds(1004000000)),
    ("100.00100s", .nanoseconds(100001000000)),
    ("10ns", .nanoseconds(10)),
    ("11us", .nanoseconds(11000)),
    ("12µs", .nanoseconds(12000)),
    ("12μs", .nanoseconds(12000)),
    ("13ms", .nanoseconds(13000000)),
    ("14s", .nanoseconds(14000000000)),
    ("15m", .nanoseconds(900000000000)),
    ("16h", .nanoseconds(57600000000000)),
    ("3h30m", .nanoseconds(12600000000000)),
    ("10.5s4m", .nanoseconds(250500000000)),
    ("-2m3.4s", .nanoseconds(-123400000000)),
    ("1h2m3s4ms5us6ns", .nanoseconds(3723004005006)),
    ("39h9m14.425s", .nanoseconds(140954425000000)),
    ("52763797000ns", .nanoseconds(52763797000)),
    ("0.3333333333333333333h", .nanoseconds(1200000000000)),
    ("9007199254740993ns", .nanoseconds(9007199254740993)),
    ("9223372036854775807ns", .nanoseconds(9223372036854775807)),
    ("9223372036854775.807us", .nanoseconds(9223372036854775807)),
    ("9223372036854s775ms807us", .error("time: invalid duration \"9223372036854s775ms807us\"")),
    ("-9223372036854775808ns", .nanoseconds(-9223372036854775808)),
    ("-9223372036854775807ns", .nanoseconds(-9223372036854775807)),
    ("0.100000000000000000000h", .nanoseconds(360000000000)),
    ("0.830103483285477580700h", .nanoseconds(2988372539827)),
    ("1.5ms", .nanoseconds(1500000)),
    ("1.4999999ms", .nanoseconds(1499999)),
    ("0.5ms", .nanoseconds(500000)),
    ("-1.5ms", .nanoseconds(-1500000)),
    ("100us", .nanoseconds(100000)),
    ("", .error("time: invalid duration \"\"")),
    ("3", .error("time: missing unit in duration \"3\"")),
    ("-", .error("time: invalid duration \"-\"")),
    ("s", .error("time: invalid duration \"s\"")),
    (".", .error("time: invalid duration \".\"")),
    ("-.", .error("time: invalid duration \"-.\"")),
    (".s", .error("time: invalid duration \".s\"")),
    ("+.s", .error("time: invalid duration \"+.s\"")),
    ("1d", .error("time: unknown unit \"d\" in duration \"1d\"")),
    ("9223372036854775808ns", .error("time: invalid duration \"9223372036854775808ns\"")),
    ("9223372036854775.808us", .error("time: invalid duration \"9223372036854775.808us\"")),
    ("9223372036854ms775us808ns", .error("time: invalid duration \"9223372036854ms775us808ns\"")),
    ("3000000h", .error("time: invalid duration \"3000000h\"")),
    ("-9223372036854775809ns", .error("time: invalid duration \"-9223372036854775809ns\"")),
    ("1.5", .error("time: missing unit in duration \"1.5\"")),
    ("-3", .error("time: missing unit in duration \"-3\"")),
    ("5x", .error("time: unknown unit \"x\" in duration \"5x\"")),
    ("abc", .error("time: invalid duration \"abc\"")),
    ("1h\"x", .error("time: unknown unit \"h\\\"x\" in duration \"1h\\\"x\"")),
    ("1\\s", .error("time: unknown unit \"\\\\s\" in duration \"1\\\\s\"")),
    ("µs", .error("time: invalid duration \"\\xc2\\xb5s\"")),
    ("1µ", .error("time: unknown unit \"\\xc2\\xb5\" in duration \"1\\xc2\\xb5\"")),
    ("1 s", .error("time: unknown unit \" s\" in duration \"1 s\"")),
    ("1s ", .error("time: unknown unit \"s \" in duration \"1s \"")),
    ("1e3s", .error("time: unknown unit \"e\" in duration \"1e3s\"")),
    ("0x10s", .error("time: unknown unit \"x\" in duration \"0x10s\"")),
    ("٣s", .error("time: invalid duration \"\\xd9\\xa3s\"")),
]

@Test(arguments: goAnswers.indices)
func goDurationParsesAsGoDoes(_ index: Int) {
    let (text, expected) = goAnswers[index]
    let parsed: GoAnswer =
        switch GoDuration.nanoseconds(text) {
        case .success(let nanoseconds): .nanoseconds(nanoseconds)
        case .failure(let error): .error(error.message)
        }
    #expect(parsed == expected, "input \(text.debugDescription)")
}

@Test func goDurationMillisecondsRoundHalvesAwayFromZero() {
    #expect(GoDuration.milliseconds("1.5ms") == 2)
    #expect(GoDuration.milliseconds("1.4999999ms") == 1)
    #expect(GoDuration.milliseconds("-1.5ms") == -2)
    #expect(GoDuration.milliseconds("100us") == 0)
    #expect(GoDuration.milliseconds("2h") == 7_200_000)
    #expect(GoDuration.milliseconds("1d") == nil)
}
