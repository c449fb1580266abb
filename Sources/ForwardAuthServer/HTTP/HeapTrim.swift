#if canImport(Glibc)
    import Glibc
#endif

/// Hands glibc's free heap back to the system once many connections have closed (issue 20).
///
/// glibc gives memory back only from the top of an arena: what is freed below a block still in use stays resident.
/// Each open connection holds about 15 KiB of heap, so after 10,000 idle connections closed glibc held 166 MiB of
/// which 4.1 MiB was in use, and RSS stayed at 201 MiB; `malloc_trim(0)` brought it to 44 MiB (docs/benchmarks.md,
/// "Memory: where it goes"). The sweeper reports the open connections every tick; when they have fallen by `drop`
/// or more from the highest count since the last trim, the heap is trimmed once. A steady load never trims.
struct HeapTrim {
    /// How many connections must have closed since the highest count before a trim.
    let drop: Int
    private var highest = 0

    init(drop: Int = 1_000) {
        self.drop = drop
    }

    /// Records the open connections; true when the heap should be trimmed now.
    mutating func observe(openConnections: Int) -> Bool {
        highest = max(highest, openConnections)
        guard highest - openConnections >= drop else { return false }
        highest = openConnections
        return true
    }

    /// glibc's `malloc_trim(0)`: free pages of every arena go back to the system. Nothing elsewhere.
    static func trimHeap() {
        #if canImport(Glibc)
            _ = mallocTrim?(0)
        #endif
    }
}

#if canImport(Glibc)
    /// Looked up rather than declared: `malloc.h` is not in Swift's Glibc module.
    private let mallocTrim: (@convention(c) (Int) -> Int32)? = dlsym(nil, "malloc_trim").map {
        unsafeBitCast($0, to: (@convention(c) (Int) -> Int32).self)
    }
#endif
