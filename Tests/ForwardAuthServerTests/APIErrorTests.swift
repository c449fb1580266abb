import Foundation
import Testing

@testable import ForwardAuthServer

/// Programs that read the Go fork's 401 keep finding its fields (issue 17): JSON `{"error": …}`, XML
/// `<errors><error>…</error></errors>`, text the message alone; forward-auth's own fields come beside them.
@Suite struct APIErrorTests {
    static let goMessage = "Authentication expired. Reload page to re-authenticate."

    @Test func jsonKeepsTheGoForksErrorField() throws {
        let answer = APIError.unauthenticatedAnswers[APIError.Format.json.rawValue]
        #expect(answer.status == 401)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
        #expect(object["error"] as? String == Self.goMessage)
        #expect(object["status"] as? Int == 401)
        #expect(object["message"] as? String == Self.goMessage)
    }

    @Test func xmlKeepsTheGoForksErrorsElement() {
        let answer = APIError.unauthenticatedAnswers[APIError.Format.xml.rawValue]
        #expect(answer.body.contains("<errors><error>\(Self.goMessage)</error>"))
        #expect(answer.body.hasSuffix("</errors>"))
    }

    @Test func textIsTheMessageAlone() {
        #expect(APIError.unauthenticatedAnswers[APIError.Format.text.rawValue].body == Self.goMessage + "\n")
    }

    @Test func otherMessagesAreEscapedInEveryField() throws {
        let json = APIError(status: 403, message: "a \"quoted\" <b>").answer(.json).body
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["error"] as? String == "a \"quoted\" <b>")
        let xml = APIError(status: 403, message: "a \"quoted\" <b>").answer(.xml).body
        #expect(!xml.contains("<b>"))
    }
}
