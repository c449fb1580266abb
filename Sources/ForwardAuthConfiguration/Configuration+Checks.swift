import ForwardAuth
import ForwardAuthOIDC
import ForwardAuthWire

extension Configuration {
    /// The checks that look at several options at once, by area; each option's own checks are its reader's.
    func checkAcrossOptions(_ reader: inout ConfigurationReader, inCluster: Bool) {
        checkKubernetes(&reader, inCluster: inCluster)
        checkHosts(&reader)
        checkSessions(&reader)
        checkBroker(&reader)
        if refreshSessions, refreshInterval >= lifetime {
            reader.warn(
                "refresh-interval (\(refreshInterval)s) is not shorter than lifetime (\(lifetime)s): sessions end before "
                    + "they are refreshed")
        }
    }

    /// The broker hands an ID token to a browser: only over https (`insecure-cookie` is for local tests).
    private func checkBroker(_ reader: inout ConfigurationReader) {
        let plain =
            " is not https: an ID token would cross the network in the clear (insecure-cookie allows it, for local tests)"
        if !insecureCookie {
            for url in ssoBrokerCallbacks where url.hasPrefix("http://") {
                reader.problem("sso-broker-callbacks: \(url)\(plain)")
            }
            if let url = ssoBrokerURL, url.hasPrefix("http://") { reader.problem("sso-broker-url: \(url)\(plain)") }
        }
        if ssoBrokerURL != nil, authHost == nil {
            reader.problem(
                "sso-broker-url needs auth-host: the broker posts the token to <auth-host><url-path>/sso/callback, a "
                    + "path forward-auth's own route serves; on an app host that path could reach the app instead")
        }
        if ssoBrokerAudience != nil, ssoBrokerURL == nil {
            reader.warn("sso-broker-audience is set but sso-broker-url is not: it has no effect")
        }
        for callback in ssoBrokerCallbacks where !callback.hasSuffix(SSOBroker.callbackSuffix) {
            reader.warn(
                "sso-broker-callbacks: \(callback) does not end in \(SSOBroker.callbackSuffix), where attached clusters "
                    + "receive the token")
        }
    }

    private func checkSessions(_ reader: inout ConfigurationReader) {
        // The Go fork sealed with AES of this key; with another length it wrote no cookie, so none is read.
        if acceptGoCookies, let encryptionKey, ![16, 24, 32].contains(encryptionKey.byteCount) {
            reader.warn(
                "accept-go-cookies: encryption-key is \(encryptionKey.byteCount) bytes, and the Go fork's sessions were "
                    + "sealed only with a 16-, 24- or 32-byte one: no Go session will be read")
        }
    }

    private func checkKubernetes(_ reader: inout ConfigurationReader, inCluster: Bool) {
        if clusterStorage.enabled {
            reader.warn("enable-in-cluster-storage is not supported; sessions stay in cookies")
        }
        if enableRBAC, rbacFile == nil, !inCluster {
            reader.problem(
                "enable-rbac: outside a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set) roles and bindings "
                    + "must come from a file: set --rbac-file or RBAC_FILE")
        }
        if rbacFile != nil, !enableRBAC {
            reader.warn("rbac-file is set but enable-rbac is not: the file is not used")
        }
        if enableImpersonation,
            let clash = claimHeaders.first(where: {
                $0.header.lowercased() == "authorization" || $0.header.lowercased().hasPrefix("impersonate-")
            })
        {
            reader.problem(
                "claim-header: \(clash.header) is sent by enable-impersonation itself (Authorization, Impersonate-*)")
        }
        if groupClaimPrefix.utf8.allSatisfy(ASCII.isBlank), enableImpersonation || enableRBAC {
            reader.problem(
                "group-claim-prefix: empty (or blank) with enable-impersonation or enable-rbac: a provider's group would "
                    + "be a Kubernetes group as it is (system:masters); set a prefix such as oidc:")
        }
        if !authzPassThrough.isEmpty, !enableRBAC {
            reader.warn("authz-pass-through is set but enable-rbac is not: it has no effect")
        }
    }

    private func checkHosts(_ reader: inout ConfigurationReader) {
        if let authHost, !cookieDomains.isEmpty,
            !cookieDomains.contains(where: { Authority.host(authHost.host, isUnder: $0) })
        {
            reader.warn(
                "auth-host \(authHost) is under none of the cookie domains (\(cookieDomains.joined(separator: ", "))); "
                    + "hosts outside them log in on their own host")
        }
    }
}
