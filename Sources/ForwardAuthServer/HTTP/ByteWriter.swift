/// Copies text into memory measured beforehand (an answer's head, a `Set-Cookie` value): one capacity check per
/// piece and no growth, where appending to a `String` or a `ByteBuffer` piece by piece checked, grew and copied.
struct ByteWriter {
    let memory: UnsafeMutableRawBufferPointer
    /// The bytes written so far; set it back to drop what was written after.
    var offset = 0

    init(_ memory: UnsafeMutableRawBufferPointer) { self.memory = memory }

    init(_ memory: UnsafeMutableBufferPointer<UInt8>) { self.init(UnsafeMutableRawBufferPointer(memory)) }

    mutating func write(_ text: StaticString) {
        text.withUTF8Buffer { copy(UnsafeRawBufferPointer($0)) }
    }

    mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { copy(UnsafeRawBufferPointer($0)) }
    }

    mutating func copy(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        // A miscounted measure must stop the process, never write past the memory.
        precondition(bytes.count <= memory.count - offset, "ByteWriter: more bytes than were measured")
        (memory.baseAddress! + offset).copyMemory(from: source, byteCount: bytes.count)
        offset += bytes.count
    }

    /// What was written from `start` on.
    func written(from start: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: memory[start..<offset])
    }
}
