/// Stops the run when a property the domain promises does not hold.
///
/// A trap is what libFuzzer records as a crash: it saves the input as an artifact and the run fails. The message
/// names the property, so the artifact's stack trace says which one broke.
@inline(never)
package func invariant(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID,
    line: UInt = #line
) {
    guard !condition() else { return }
    fatalError("fuzz invariant violated: \(message())", file: file, line: line)
}
