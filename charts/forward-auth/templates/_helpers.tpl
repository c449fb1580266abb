{{/*
Name used in labels and in the full name. It stays "traefik-forward-auth" (the old chart's name) so that an
upgrade from mesosphere's traefik-forward-auth chart keeps the Deployment's immutable selector, and the
Service keeps the DNS name Traefik's Middlewares already point at.
*/}}
{{- define "forward-auth.name" -}}
{{- default "traefik-forward-auth" .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Full name: the old chart's rule, unchanged. A release whose name contains the name (traefik-forward-auth,
traefik-forward-auth-mgmt) is the full name; otherwise "<release>-traefik-forward-auth".
*/}}
{{- define "forward-auth.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "forward-auth.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "forward-auth.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: the old chart's, so Deployment and Service selectors survive an upgrade. */}}
{{- define "forward-auth.selectorLabels" -}}
app.kubernetes.io/name: {{ include "forward-auth.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "forward-auth.labels" -}}
helm.sh/chart: {{ include "forward-auth.chart" . }}
{{ include "forward-auth.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | toString | replace "+" "_" | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: forward-auth
{{- end -}}

{{- define "forward-auth.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "forward-auth.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
The chart's placeholder image repository (values.yaml's image.repository). Nothing is pushed there yet.
*/}}
{{- define "forward-auth.placeholderRepository" -}}ghcr.io/forward-auth/forward-auth{{- end -}}

{{/*
Fails rendering when the values name an image no build makes: DKP's values for chart 0.3.10 pin the Go
image's tag (`image.tag: v3.3.0`) and leave image.repository to the chart's default. The project's images
are tagged X.Y.Z, never v-prefixed (docs/image.md), and the chart's repository is a placeholder, so that
pair is never pullable: the release would stop at ImagePullBackOff. With image.repository set (or a
digest), the values are taken as given. Called by service.yaml, which always renders.
*/}}
{{- define "forward-auth.checkImage" -}}
{{- $img := .Values.image | default dict -}}
{{- $tag := get $img "tag" | default "" | toString -}}
{{- if and (not (get $img "digest")) (eq (toString (get $img "repository")) (include "forward-auth.placeholderRepository" .)) (regexMatch "^v[0-9]" $tag) -}}
{{- fail (printf "image.tag %q is a tag of the Go image (mesosphere/traefik-forward-auth, as DKP's values for chart 0.3.10 pin it), but image.repository is still this chart's placeholder %s, where no such tag exists (forward-auth images are tagged X.Y.Z, e.g. 3.3.N, never with a leading v). Set image.repository to the registry you pushed the forward-auth image to (scripts/build-image), and image.tag to its tag (or empty for the chart's appVersion %s)." $tag (include "forward-auth.placeholderRepository" .) .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{- define "forward-auth.image" -}}
{{- include "forward-auth.checkImage" . -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion | toString -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Service DNS name and the address Traefik's ForwardAuth middleware calls. */}}
{{- define "forward-auth.serviceHost" -}}
{{- printf "%s.%s.svc" (include "forward-auth.fullname" .) .Release.Namespace -}}
{{- end -}}

{{- define "forward-auth.address" -}}
{{- if .Values.middleware.address -}}
{{- tpl .Values.middleware.address . -}}
{{- else -}}
{{- printf "http://%s:%v/" (include "forward-auth.serviceHost" .) .Values.service.port -}}
{{- end -}}
{{- end -}}

{{/* Name of the chart-managed Secret holding the cookie keys. */}}
{{- define "forward-auth.keysSecretName" -}}
{{- printf "%s-keys" (include "forward-auth.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Where each cookie key comes from, as YAML (callers use `fromYaml`):
  secret / encryptionKey / previousSecrets: {name, key} of a Secret (previousSecrets is optional and absent
  when only the legacy Secrets are used);  managed: whether the chart templates "<fullname>-keys".
Order: traefikForwardAuth.existingSecret; else, per key, the Secret that the old chart's pre-install hook
jobs created outside Helm ("<fullname>-secret" and "<fullname>-session-key", key "secret"), found with
`lookup`, so an upgrade keeps every session; else the chart-managed Secret.
*/}}
{{- define "forward-auth.keySources" -}}
{{- $tfa := .Values.traefikForwardAuth -}}
{{- $keys := $tfa.existingSecretKeys | default dict -}}
{{- $fullname := include "forward-auth.fullname" . -}}
{{- $out := dict -}}
{{- if $tfa.existingSecret -}}
{{- $name := tpl $tfa.existingSecret . -}}
{{- $_ := set $out "secret" (dict "name" $name "key" (get $keys "secret" | default "secret")) -}}
{{- $_ := set $out "encryptionKey" (dict "name" $name "key" (get $keys "encryptionKey" | default "encryption-key")) -}}
{{- $_ := set $out "previousSecrets" (dict "name" $name "key" (get $keys "previousSecrets" | default "previous-secrets")) -}}
{{- $_ := set $out "managed" false -}}
{{- else -}}
{{- $managed := include "forward-auth.keysSecretName" . -}}
{{- $legacySecret := lookup "v1" "Secret" .Release.Namespace (printf "%s-secret" $fullname) -}}
{{- $legacySessionKey := lookup "v1" "Secret" .Release.Namespace (printf "%s-session-key" $fullname) -}}
{{- $hasLegacySecret := ne "" (dig "data" "secret" "" $legacySecret) -}}
{{- $hasLegacySessionKey := ne "" (dig "data" "secret" "" $legacySessionKey) -}}
{{- if $hasLegacySecret -}}
{{- $_ := set $out "secret" (dict "name" (printf "%s-secret" $fullname) "key" "secret") -}}
{{- else -}}
{{- $_ := set $out "secret" (dict "name" $managed "key" "secret") -}}
{{- end -}}
{{- if $hasLegacySessionKey -}}
{{- $_ := set $out "encryptionKey" (dict "name" (printf "%s-session-key" $fullname) "key" "secret") -}}
{{- else -}}
{{- $_ := set $out "encryptionKey" (dict "name" $managed "key" "encryption-key") -}}
{{- end -}}
{{- $_ := set $out "managed" (not (and $hasLegacySecret $hasLegacySessionKey)) -}}
{{- if $out.managed -}}
{{- $_ := set $out "previousSecrets" (dict "name" $managed "key" "previous-secrets") -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* The OAuth client secret's Secret and key, or nothing when none is configured. */}}
{{- define "forward-auth.clientSecretRef" -}}
{{- $cs := .Values.traefikForwardAuth.clientSecret | default dict -}}
{{- $ref := dig "valueFrom" "secretKeyRef" dict $cs -}}
{{- if get $ref "name" -}}
name: {{ tpl (get $ref "name") . }}
key: {{ required "traefikForwardAuth.clientSecret.valueFrom.secretKeyRef.key is required" (get $ref "key") }}
{{- else if get $cs "value" -}}
name: {{ include "forward-auth.fullname" . }}-clientsecret
key: clientSecret
{{- end -}}
{{- end -}}

{{/*
The container's resources: `resources` exactly as given (nothing merged into it: DKP sets requests only and
gets no limit); when it is empty ({}, the default) the chart's default below; `resources: null` renders none.
*/}}
{{- define "forward-auth.resources" -}}
{{- if hasKey .Values "resources" -}}
{{- $r := .Values.resources | default dict -}}
{{- if not $r -}}
{{- $r = dict "requests" (dict "cpu" "20m" "memory" "32Mi") "limits" (dict "memory" "256Mi") -}}
{{- end -}}
{{- toYaml $r -}}
{{- end -}}
{{- end -}}

{{/*
Kind of the object holding traefikForwardAuth.caCertificate, named "<fullname>-ca-certificate": Secret (the
old chart's, key ca.crt; DKP's reloader annotation names it) unless caCertificateKind is ConfigMap.
*/}}
{{- define "forward-auth.caKind" -}}
{{- ternary "ConfigMap" "Secret" (eq (toString (get .Values.traefikForwardAuth "caCertificateKind")) "ConfigMap") -}}
{{- end -}}

{{/* Whether a CA for the OIDC provider is mounted (an inline PEM or a Secret). */}}
{{- define "forward-auth.hasCA" -}}
{{- if or .Values.traefikForwardAuth.caCertificate .Values.traefikForwardAuth.caSecretName -}}true{{- end -}}
{{- end -}}

{{/*
The paths a browser must reach for the callback path P (the service's url-path), as a JSON list: P (the OAuth
callback), P/logout and P/start (the login start nginx's error_page 401 sends browsers to). Ingress and
IngressRoute route these exact paths only, never a prefix of P: anything else a route hands the Service (such
as P/auth, nginx's auth_request target, which only the proxy calls) lets a browser ask the service directly and
read answers meant for the proxy. A trailing "/" is dropped.
With the SSO broker ("sso": ssoBroker.callbacks set, the UI cluster) also P/sso, the broker endpoint a browser
is sent to by attached clusters. P/sso/callback (an attached cluster) is not among them: see
forward-auth.ssoCallbackPath.
Argument: dict "path" P "what" <the value's name, for the error message> ["sso" true].
*/}}
{{- define "forward-auth.browserPaths" -}}
{{- $p := trimSuffix "/" (toString .path) -}}
{{- if not (regexMatch "^(/[-A-Za-z0-9._~!$&'()*+,;=:@%]+)+$" $p) -}}
{{- fail (printf "%s: %q is not a callback path (url-path): it must start with /, not be / alone, and hold only URL path characters (no spaces, no backticks)" .what (toString .path)) -}}
{{- end -}}
{{- $out := list $p (printf "%s/logout" $p) (printf "%s/start" $p) -}}
{{- if .sso -}}
{{- $out = append $out (printf "%s/sso" $p) -}}
{{- end -}}
{{- $out | toJson -}}
{{- end -}}

{{/*
The SSO broker's roles: "ui" when ssoBroker.callbacks is set, "attached" when ssoBroker.url is set (one instance
may be both), as a JSON object {"ui": bool, "attached": bool}. Fails rendering, naming the value, on what the
service would refuse at start (or what SSO_BROKER_CALLBACKS, a comma list, cannot carry): a URL that is not
absolute http(s), or has a query, fragment, userinfo or comma; http without traefikForwardAuth.insecureCookie;
ssoBroker.url without traefikForwardAuth.authHost.
*/}}
{{- define "forward-auth.ssoBroker" -}}
{{- $sb := .Values.ssoBroker | default dict -}}
{{- $insecure := .Values.traefikForwardAuth.insecureCookie -}}
{{- $urls := list -}}
{{- range $i, $cb := get $sb "callbacks" | default list -}}
{{- $urls = append $urls (list (printf "ssoBroker.callbacks[%d]" $i) (toString $cb)) -}}
{{- end -}}
{{- with get $sb "url" -}}
{{- $urls = append $urls (list "ssoBroker.url" (toString .)) -}}
{{- end -}}
{{- range $urls -}}
{{- $what := index . 0 -}}
{{- $u := index . 1 -}}
{{- if not (regexMatch "^https?://[^/?#@,[:space:]]+(/[^?#,[:space:]]*)?$" $u) -}}
{{- fail (printf "%s: %q is not an absolute http(s) URL without query, fragment, userinfo or comma (e.g. https://auth.attached.example.com/_oauth/sso/callback)" $what $u) -}}
{{- end -}}
{{- if and (hasPrefix "http://" $u) (not $insecure) -}}
{{- fail (printf "%s: %q is http: the broker's URLs must be https unless traefikForwardAuth.insecureCookie is true" $what $u) -}}
{{- end -}}
{{- end -}}
{{- if and (get $sb "url") (not .Values.traefikForwardAuth.authHost) -}}
{{- fail "ssoBroker.url needs traefikForwardAuth.authHost: the broker posts the ID token to <authHost><path>/sso/callback, which only the chart's own route on the auth host serves (on an app host that path could reach the app)" -}}
{{- end -}}
{{- dict "ui" (not (empty (get $sb "callbacks"))) "attached" (not (empty (get $sb "url"))) | toJson -}}
{{- end -}}

{{/* The attached cluster's broker callback for the callback path P: P/sso/callback. Argument: P. */}}
{{- define "forward-auth.ssoCallbackPath" -}}
{{- printf "%s/sso/callback" (trimSuffix "/" (toString .)) -}}
{{- end -}}

{{/*
The Ingress's paths as a JSON list, without repeats: each entry of ingress.paths (a string, or {path, pathType})
is a callback path P, routed as forward-auth.browserPaths. Only pathType Exact is allowed: values.schema.json
refuses the others, and this fail holds when the schema is skipped (helm --skip-schema-validation).
*/}}
{{- define "forward-auth.ingressPaths" -}}
{{- $ing := .Values.ingress -}}
{{- $sso := include "forward-auth.ssoBroker" . | fromJson -}}
{{- $out := list -}}
{{- range $ing.paths | default (list "/_oauth") -}}
{{- $entry := ternary (dict "path" .) . (kindIs "string" .) -}}
{{- $pathType := get $entry "pathType" | default (get $ing "pathType") | default "Exact" -}}
{{- if ne (toString $pathType) "Exact" -}}
{{- fail (printf "ingress: pathType %q for path %q: only Exact is allowed (ingress.pathType, ingress.paths[].pathType). A %s route sends paths under the callback path that no browser may call to forward-auth; the chart routes the exact paths <path>, <path>/logout and <path>/start." (toString $pathType) (toString (get $entry "path")) (toString $pathType)) -}}
{{- end -}}
{{- $out = concat $out (include "forward-auth.browserPaths" (dict "path" (get $entry "path") "what" "ingress.paths" "sso" $sso.ui) | fromJsonArray) -}}
{{- if $sso.attached -}}
{{- $out = append $out (include "forward-auth.ssoCallbackPath" (get $entry "path")) -}}
{{- end -}}
{{- end -}}
{{- $out | uniq | toJson -}}
{{- end -}}

{{/* TRUST_FORWARDED_PREFIX: "true" unless traefikForwardAuth.trustForwardedPrefix is false. */}}
{{- define "forward-auth.trustForwardedPrefix" -}}
{{- $v := get .Values.traefikForwardAuth "trustForwardedPrefix" -}}
{{- ternary (toString $v) "true" (kindIs "bool" $v) -}}
{{- end -}}

{{/* A value given as a list or as a comma-separated string, as one comma-separated string. */}}
{{- define "forward-auth.commaList" -}}
{{- if kindIs "slice" . -}}
{{- join "," . -}}
{{- else if . -}}
{{- toString . -}}
{{- end -}}
{{- end -}}

{{/*
The container's environment, chart-derived entries first. An entry whose name the user also sets in
`env` is left out, so `env` overrides anything the chart sets. Values in `env` go through `tpl`, as in
the old chart; a map value is a full env entry (e.g. {valueFrom: {secretKeyRef: ...}}).
*/}}
{{- define "forward-auth.env" -}}
{{- $tfa := .Values.traefikForwardAuth -}}
{{- $user := .Values.env | default dict -}}
{{- $env := list -}}
{{- /* traefikForwardAuth.allowedUser is ignored, as chart 0.3.10 ignored it (NOTES says so). */ -}}
{{- $whitelist := $tfa.whitelist | default list -}}
{{- $env = append $env (dict "name" "CONFIG" "value" "/etc/forward-auth/config/config.ini") -}}
{{- with $tfa.oidcUri -}}
{{- $env = append $env (dict "name" "PROVIDER_URI" "value" (tpl . $)) -}}
{{- end -}}
{{- if include "forward-auth.clientSecretRef" . -}}
{{- $env = append $env (dict "name" "CLIENT_SECRET_FILE" "value" "/var/run/secrets/forward-auth/client-secret") -}}
{{- end -}}
{{- $env = append $env (dict "name" "SECRET_FILE" "value" "/var/run/secrets/forward-auth/secret") -}}
{{- $env = append $env (dict "name" "ENCRYPTION_KEY_FILE" "value" "/var/run/secrets/forward-auth/encryption-key") -}}
{{- $keys := include "forward-auth.keySources" . | fromYaml -}}
{{- with get $keys "previousSecrets" -}}
{{- $env = append $env (dict "name" "PREVIOUS_SECRETS" "valueFrom" (dict "secretKeyRef" (dict "name" .name "key" .key "optional" true))) -}}
{{- end -}}
{{- if not $tfa.useSystemCA -}}
{{- if include "forward-auth.hasCA" . -}}
{{- $env = append $env (dict "name" "SSL_CERT_FILE" "value" "/etc/forward-auth/ca/ca.crt") -}}
{{- else -}}
{{- $env = append $env (dict "name" "SSL_CERT_FILE" "value" "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt") -}}
{{- end -}}
{{- end -}}
{{- with $tfa.logLevel -}}
{{- $env = append $env (dict "name" "LOG_LEVEL" "value" (toString .)) -}}
{{- end -}}
{{- with $tfa.logFormat -}}
{{- $env = append $env (dict "name" "LOG_FORMAT" "value" (toString .)) -}}
{{- end -}}
{{- if $whitelist -}}
{{- $env = append $env (dict "name" "WHITELIST" "value" (join "," $whitelist)) -}}
{{- end -}}
{{- with include "forward-auth.commaList" $tfa.domain -}}
{{- $env = append $env (dict "name" "DOMAIN" "value" .) -}}
{{- end -}}
{{- with include "forward-auth.commaList" $tfa.cookieDomain -}}
{{- $env = append $env (dict "name" "COOKIE_DOMAIN" "value" (tpl . $)) -}}
{{- end -}}
{{- with $tfa.authHost -}}
{{- $env = append $env (dict "name" "AUTH_HOST" "value" (tpl . $)) -}}
{{- end -}}
{{- if $tfa.insecureCookie -}}
{{- $env = append $env (dict "name" "INSECURE_COOKIE" "value" "true") -}}
{{- end -}}
{{- with include "forward-auth.commaList" $tfa.allowedGroups -}}
{{- $env = append $env (dict "name" "ALLOWED_GROUPS" "value" .) -}}
{{- end -}}
{{- with include "forward-auth.commaList" $tfa.trustedAudiences -}}
{{- $env = append $env (dict "name" "TRUSTED_AUDIENCE" "value" .) -}}
{{- end -}}
{{- $sb := .Values.ssoBroker | default dict -}}
{{- $_ := include "forward-auth.ssoBroker" . -}}
{{- with get $sb "callbacks" -}}
{{- $env = append $env (dict "name" "SSO_BROKER_CALLBACKS" "value" (join "," .)) -}}
{{- end -}}
{{- with get $sb "url" -}}
{{- $env = append $env (dict "name" "SSO_BROKER_URL" "value" (toString .)) -}}
{{- end -}}
{{- with get $sb "audience" -}}
{{- $env = append $env (dict "name" "SSO_BROKER_AUDIENCE" "value" (toString .)) -}}
{{- end -}}
{{- with $tfa.logoutRedirect -}}
{{- $env = append $env (dict "name" "LOGOUT_REDIRECT" "value" (tpl . $)) -}}
{{- end -}}
{{- if $tfa.enableRBAC -}}
{{- $env = append $env (dict "name" "ENABLE_RBAC" "value" "true") -}}
{{- end -}}
{{- with include "forward-auth.commaList" $tfa.rbacPassThroughPaths -}}
{{- $env = append $env (dict "name" "AUTHZ_PASS_THROUGH" "value" .) -}}
{{- end -}}
{{- if $tfa.enableImpersonation -}}
{{- $env = append $env (dict "name" "ENABLE_IMPERSONATION" "value" "true") -}}
{{- end -}}
{{- $env = append $env (dict "name" "TRUST_FORWARDED_PREFIX" "value" (include "forward-auth.trustForwardedPrefix" .)) -}}
{{- if .Values.clusterStorage.enabled -}}
{{- $env = append $env (dict "name" "ENABLE_IN_CLUSTER_STORAGE" "value" "true") -}}
{{- $env = append $env (dict "name" "CLUSTER_STORE_CACHE_TTL" "value" (toString .Values.clusterStorage.cacheTTL)) -}}
{{- $env = append $env (dict "name" "CLUSTER_STORE_NAMESPACE" "value" (.Values.clusterStorage.namespace | default .Release.Namespace)) -}}
{{- end -}}
{{- $out := list -}}
{{- range $env -}}
{{- if not (hasKey $user .name) -}}
{{- $out = append $out . -}}
{{- end -}}
{{- end -}}
{{- range $name := keys $user | sortAlpha -}}
{{- $value := get $user $name -}}
{{- if kindIs "map" $value -}}
{{- $out = append $out (merge (dict "name" $name) $value) -}}
{{- else if kindIs "invalid" $value -}}
{{- else -}}
{{- $out = append $out (dict "name" $name "value" (tpl (toString $value) $)) -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/*
PromQL label matchers (no braces) selecting this release's series in the alert rules:
metrics.prometheusRule.selector, else job="<fullname>",namespace="<release namespace>" (a ServiceMonitor's scrape
labels its series with job = the Service's name and namespace = the Service's namespace).
*/}}
{{- define "forward-auth.alertSelector" -}}
{{- .Values.metrics.prometheusRule.selector | default (printf "job=%q,namespace=%q" (include "forward-auth.fullname" .) .Release.Namespace) -}}
{{- end -}}

{{/*
One alerting rule of templates/prometheusrule.yaml. Argument: dict "root" $, "rule" (the rule's values: for,
severity), "name", "expr", "summary", "description". runbook_url is <runbookUrl>#<name in lower case>, the
anchor of the alert's section in docs/operations.md.
*/}}
{{- define "forward-auth.alert" -}}
{{- $pr := .root.Values.metrics.prometheusRule -}}
{{- $labels := merge (dict "severity" (toString (get .rule "severity"))) ($pr.additionalLabels | default dict) -}}
- alert: {{ .name }}
  expr: |-
    {{- .expr | nindent 4 }}
  {{- with get .rule "for" }}
  for: {{ . }}
  {{- end }}
  labels:
    {{- toYaml $labels | nindent 4 }}
  annotations:
    summary: {{ .summary | quote }}
    description: {{ .description | quote }}
    runbook_url: {{ printf "%s#%s" $pr.runbookUrl (lower .name) | quote }}
{{- end -}}
