import ForwardAuthConfiguration
import Logging

extension Logger.Level {
    /// logrus's levels on swift-log's: `warn` is `warning`; `fatal` and `panic` are `critical`.
    package init(_ level: LogLevel) {
        switch level {
        case .trace: self = .trace
        case .debug: self = .debug
        case .info: self = .info
        case .warn: self = .warning
        case .error: self = .error
        case .fatal, .panic: self = .critical
        }
    }
}
