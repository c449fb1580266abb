import ForwardAuth
import ForwardAuthOIDC
import ForwardAuthWire
import Foundation

extension CookieSettings {
    package init(_ configuration: Configuration) {
        self.init()
        sessionName = configuration.cookieName
        userName = configuration.userCookieName
        csrfName = configuration.csrfCookieName
        claimsName = configuration.claimsCookieName
        domains = configuration.cookieDomains
        secure = !configuration.insecureCookie
        lifetime = Int64(configuration.lifetime)
    }
}

extension CookieKeys {
    package init(_ configuration: Configuration) {
        self.init(
            secret: configuration.secret.revealBytes(), encryptionKey: configuration.encryptionKey?.revealBytes(),
            previousSecrets: configuration.previousSecrets.map { $0.revealBytes() })
    }
}

extension Gatekeeper {
    /// The gatekeeper a configuration describes.
    /// - Parameters:
    ///   - rbacStore: where the loaded roles and bindings live; required for `enable-rbac` (without one, RBAC
    ///     answers 503 rather than let anyone through).
    ///   - serviceAccountToken: the token impersonation sends; required for `enable-impersonation`.
    package init(
        _ configuration: Configuration, rbacStore: RBACPolicyStore? = nil,
        serviceAccountToken: ServiceAccountToken? = nil
    ) {
        var settings = Settings()
        settings.urlPath = configuration.urlPath
        settings.authHost = configuration.authHost
        settings.defaultAction = configuration.defaultAction
        if configuration.refreshSessions {
            var refresh = RefreshSettings()
            refresh.interval = Int64(configuration.refreshInterval)
            refresh.maximumAge = Int64(configuration.refreshMaxAge)
            refresh.brokerMaximumAge = Int64(configuration.ssoBrokerMaxAge)
            settings.refresh = refresh
        }
        settings.skipAuthPreflight = configuration.skipAuthPreflight
        self.init(
            settings: settings, rules: configuration.ruleSet,
            sessions: SessionCookies(
                settings: CookieSettings(configuration), keys: CookieKeys(configuration),
                goCookies: GoCookieReader(configuration)),
            access: AccessPolicy(
                whitelist: configuration.whitelist, domains: configuration.domains, groups: configuration.allowedGroups,
                matchWhitelistOrDomain: configuration.matchWhitelistOrDomain),
            identityHeaders: IdentityHeaders(configuration, serviceAccountToken: serviceAccountToken),
            rbac: configuration.enableRBAC
                ? RBACAuthorizer(store: rbacStore ?? RBACPolicyStore(settings: RBACSettings(configuration))) : nil)
    }
}

extension IdentityHeaders {
    package init(_ configuration: Configuration, serviceAccountToken: ServiceAccountToken?) {
        self.init(
            emailHeaderNames: configuration.emailHeaderNames, claimHeaders: configuration.claimHeaders,
            groupsClaim: configuration.groupsAttributeName,
            tokenForwarding: configuration.forwardTokenHeaderName.map {
                TokenForwarding(header: $0, prefix: configuration.forwardTokenPrefix)
            },
            impersonation: configuration.enableImpersonation
                ? Impersonation(
                    groupPrefix: configuration.groupClaimPrefix, token: serviceAccountToken ?? ServiceAccountToken())
                : nil)
    }
}

extension RBACSettings {
    package init(_ configuration: Configuration) {
        self.init()
        groupClaimPrefix = configuration.groupClaimPrefix
        caseInsensitiveSubjects = configuration.caseInsensitiveSubjects
        v3URLPatternMatching = configuration.enableV3URLPatternMatching
        passThrough = configuration.authzPassThrough
    }
}

extension GroupsFilter {
    /// `groups-filter` as configured (validated at load, so a regex here compiles).
    package init(_ configuration: Configuration, rbac: RBACAuthorizer?) {
        switch configuration.groupsFilter {
        case nil:
            self = .keepAll
        case "auto":
            self = .used(
                by: configuration.allowedGroups + configuration.rules.flatMap(\.groups), rbac: rbac)
        case let pattern?:
            self = (try? GroupsFilter(pattern: pattern)) ?? .keepAll
        }
    }
}

extension LoginFlow {
    package init(_ configuration: Configuration, gatekeeper: Gatekeeper, provider: any IdentityProviderClient) {
        self.init(
            gatekeeper: gatekeeper,
            loginStates: LoginStateCookies(settings: gatekeeper.sessions.settings, keys: CookieKeys(configuration)),
            provider: provider, logoutRedirect: configuration.logoutRedirect?.absoluteString,
            groupsFilter: GroupsFilter(configuration, rbac: gatekeeper.rbac),
            broker: BrokerSettings(
                callbacks: Set(configuration.ssoBrokerCallbacks), brokerURL: configuration.ssoBrokerURL,
                audience: configuration.ssoBrokerAudience))
    }
}

extension OIDCClientSettings {
    package init(_ configuration: Configuration) {
        self.init(
            issuer: configuration.issuer, clientID: configuration.clientID, clientSecret: configuration.clientSecret,
            scopes: configuration.scopes, groupsClaim: configuration.groupsAttributeName)
        trustedAudiences = Set(configuration.trustedAudiences)
        // Dex issues a refresh token only for this scope.
        if configuration.refreshSessions, !scopes.contains("offline_access") { scopes.append("offline_access") }
    }
}
