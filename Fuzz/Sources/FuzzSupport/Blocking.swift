import Dispatch
import ForwardAuth

/// Runs an async operation to completion from libFuzzer's synchronous entry point.
///
/// The login flows are `async` because a real provider suspends; the fuzz targets' fake provider never does, so
/// the wait is short. The result crosses threads through a box the semaphore orders.
package func runBlocking<Result: Sendable>(_ operation: @escaping @Sendable () async -> Result) -> Result {
    let box = ResultBox<Result>()
    let done = DispatchSemaphore(value: 0)
    Task {
        box.value = await operation()
        done.signal()
    }
    done.wait()
    guard let value = box.value else { fatalError("runBlocking: the operation finished without a result") }
    return value
}

/// Written once by the task before it signals, read once after the wait: the semaphore orders the two.
private final class ResultBox<Value>: @unchecked Sendable {
    var value: Value?
}
