import Crypto
import ExtrasBase64

/// The page the broker answers with: a form that posts to an attached instance's listed callback, by itself (the
/// token's delivery, design (a) of issue 19) or when the person presses its button (a refusal offering to sign
/// in at the provider directly).
///
/// The token travels only in the form's body, from the browser to that callback: never in a URL, a header or a
/// log line. The server renders it with a hashed script, a `<noscript>` button and a CSP whose `form-action` is
/// the callback's origin alone.
package struct BrokerForm: Sendable, Hashable {
    /// The listed callback the form posts to (`BrokerSettings.canonicalCallback`).
    package var action: String
    package var fields: [Field]
    /// Post at once (a delivery), or wait for the button (a refusal page).
    package var submitsItself: Bool
    package var title: String
    package var message: String
    package var button: String

    package struct Field: Sendable, Hashable {
        package var name: String
        package var value: String

        package init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    package init(
        action: String, fields: [Field], submitsItself: Bool, title: String, message: String, button: String
    ) {
        self.action = action
        self.fields = fields
        self.submitsItself = submitsItself
        self.title = title
        self.message = message
        self.button = button
    }

    /// `scheme://authority` of `action`: the only place the page's CSP lets a form go.
    package var actionOrigin: String {
        guard let url = AbsoluteURL(action) else { return "'none'" }
        return (url.isHTTPS ? "https://" : "http://") + url.authority.description
    }

    /// The page's only script: post the form as soon as it is parsed.
    package static let submitScript = "document.getElementById(\"broker\").submit();"

    /// `sha256-<base64>` of `submitScript`, for the page's CSP `script-src`.
    package static let submitScriptHash =
        "sha256-" + Base64.encodeToString(bytes: Array(SHA256.hash(data: Array(submitScript.utf8))))
}
