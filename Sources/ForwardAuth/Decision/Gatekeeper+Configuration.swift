import Foundation

extension CookieSettings {
    public init(_ configuration: Configuration) {
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
    public init(_ configuration: Configuration) {
        self.init(
            secret: configuration.secret.revealBytes(), encryptionKey: configuration.encryptionKey?.revealBytes(),
            previousSecrets: configuration.previousSecrets.map { $0.revealBytes() })
    }
}

extension Gatekeeper {
    /// The gatekeeper a configuration describes.
    public init(_ configuration: Configuration) {
        var settings = Settings()
        settings.urlPath = configuration.urlPath
        settings.authHost = configuration.authHost
        settings.defaultAction = configuration.defaultAction
        settings.emailHeaderNames = configuration.emailHeaderNames
        self.init(
            settings: settings, rules: configuration.ruleSet,
            sessions: SessionCookies(settings: CookieSettings(configuration), keys: CookieKeys(configuration)),
            access: AccessPolicy(
                whitelist: configuration.whitelist, domains: configuration.domains, groups: configuration.allowedGroups,
                matchWhitelistOrDomain: configuration.matchWhitelistOrDomain))
    }
}

extension LoginFlow {
    public init(_ configuration: Configuration, gatekeeper: Gatekeeper, provider: any IdentityProviderClient) {
        self.init(
            gatekeeper: gatekeeper,
            loginStates: LoginStateCookies(settings: gatekeeper.sessions.settings, keys: CookieKeys(configuration)),
            provider: provider, logoutRedirect: configuration.logoutRedirect?.absoluteString)
    }
}

extension OIDCClientSettings {
    public init(_ configuration: Configuration) {
        self.init(
            issuer: configuration.issuer, clientID: configuration.clientID, clientSecret: configuration.clientSecret,
            scopes: configuration.scopes, groupsClaim: configuration.groupsAttributeName)
        trustedAudiences = Set(configuration.trustedAudiences)
    }
}
