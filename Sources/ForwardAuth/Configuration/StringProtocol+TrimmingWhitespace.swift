extension StringProtocol {
    /// The text without leading and trailing whitespace (spaces, tabs, newlines), as configuration values are read.
    func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return Substring(self[start..<end])
    }
}
