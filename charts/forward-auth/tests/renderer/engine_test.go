package main

// Each test pins one piece of the renderer to a rendering that Helm 3 is known to give for the same
// template and values (the expected strings are what `helm template` prints).

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testChart(t *testing.T, defaults string, templates map[string]string) *Chart {
	t.Helper()
	vals, err := ReadValues([]byte(defaults))
	if err != nil {
		t.Fatal(err)
	}
	c := &Chart{
		Metadata:  &Metadata{APIVersion: "v2", Name: "demo", Version: "1.2.3", AppVersion: "4.5.6"},
		Values:    vals,
		Templates: map[string]string{},
		Files:     map[string][]byte{"files/motd.txt": []byte("hello\nworld\n")},
	}
	for n, s := range templates {
		c.Templates["demo/templates/"+n] = s
	}
	return c
}

func render(t *testing.T, c *Chart, user string, lookup LookupFunc) map[string]string {
	t.Helper()
	out, err := renderErr(c, user, lookup)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return out
}

func renderErr(c *Chart, user string, lookup LookupFunc) (map[string]string, error) {
	u, err := ReadValues([]byte(user))
	if err != nil {
		return nil, err
	}
	caps, _ := NewCapabilities("v1.29.3", []string{"monitoring.coreos.com/v1"})
	// The engine's raw output per template (these test templates need not be YAML manifests).
	vals, _ := CoalesceValues(c.Values, u)
	if err := CheckKubeVersion(c.Metadata, caps); err != nil {
		return nil, err
	}
	if err := ValidateAgainstSchema(c.Schema, vals); err != nil {
		return nil, err
	}
	top := map[string]interface{}{
		"Chart": c.Metadata, "Capabilities": caps, "Values": vals, "Files": Files(c.Files),
		"Release": map[string]interface{}{"Name": "rel", "Namespace": "ns", "IsInstall": true, "IsUpgrade": false, "Revision": 1, "Service": "Helm"},
	}
	out, err := Engine{Lookup: lookup}.Render(c, top)
	if err != nil {
		return nil, err
	}
	out["NOTES"] = strings.TrimSpace(out["demo/templates/NOTES.txt"])
	delete(out, "demo/templates/NOTES.txt")
	return out, nil
}

func expect(t *testing.T, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("rendering differs\n--- got:\n%s\n--- want:\n%s", got, want)
	}
}

func TestToYamlMatchesHelmLayout(t *testing.T) {
	// Helm (sigs.k8s.io/yaml): sorted keys, 2-space maps, list items at the key's column, no trailing newline.
	c := testChart(t, "res:\n  limits: {memory: 128Mi}\n  requests: {cpu: 10m}\nlist: [b, 1, true]\n", map[string]string{
		"a.yaml": "x:\n  {{- toYaml .Values | nindent 2 }}\n",
	})
	expect(t, render(t, c, "", nil)["demo/templates/a.yaml"],
		"x:\n  list:\n  - b\n  - 1\n  - true\n  res:\n    limits:\n      memory: 128Mi\n    requests:\n      cpu: 10m\n")
}

func TestToYamlQuotesAmbiguousStrings(t *testing.T) {
	c := testChart(t, "m: {a: \"true\", b: \"0440\", c: \"\", d: \"x: y\"}\n", map[string]string{
		"a.yaml": "{{ toYaml .Values.m }}",
	})
	expect(t, render(t, c, "", nil)["demo/templates/a.yaml"], "a: \"true\"\nb: \"0440\"\nc: \"\"\nd: 'x: y'")
}

func TestNumbersFromValuesAreFloat64LikeHelm(t *testing.T) {
	c := testChart(t, "port: 4181\nbig: 1000000\nratio: 0.5\n", map[string]string{
		"a.yaml": "p: {{ .Values.port }} q: {{ .Values.port | quote }} big: {{ .Values.big }} int: {{ int .Values.big }} r: {{ .Values.ratio }} k: {{ kindOf .Values.port }}",
	})
	expect(t, render(t, c, "", nil)["demo/templates/a.yaml"], `p: 4181 q: "4181" big: 1e+06 int: 1000000 r: 0.5 k: float64`)
}

func TestMissingKeysRenderEmptyNotNoValue(t *testing.T) {
	c := testChart(t, "a: {}\n", map[string]string{"a.yaml": "v: [{{ .Values.a.missing }}] [{{ .Values.nothere }}]"})
	expect(t, render(t, c, "", nil)["demo/templates/a.yaml"], "v: [] []")
}

func TestNilMapFieldIsAnErrorAsInHelm(t *testing.T) {
	c := testChart(t, "", map[string]string{"a.yaml": "{{ .Values.absent.child }}"})
	_, err := renderErr(c, "", nil)
	if err == nil || !strings.Contains(err.Error(), "nil pointer evaluating interface {}.child") {
		t.Fatalf("want Helm's nil pointer error, got %v", err)
	}
}

func TestIncludeWithNindentAndPartialsNotRendered(t *testing.T) {
	c := testChart(t, "", map[string]string{
		"_helpers.tpl": "{{- define \"demo.labels\" -}}\napp: {{ .Chart.Name }}\nrel: {{ .Release.Name }}\n{{- end }}",
		"a.yaml":       "metadata:\n  labels:\n    {{- include \"demo.labels\" . | nindent 4 }}",
	})
	out := render(t, c, "", nil)
	expect(t, out["demo/templates/a.yaml"], "metadata:\n  labels:\n    app: demo\n    rel: rel")
	if _, ok := out["demo/templates/_helpers.tpl"]; ok {
		t.Error("partials must not be rendered")
	}
}

func TestIncludeRecursionIsBounded(t *testing.T) {
	c := testChart(t, "", map[string]string{"a.yaml": "{{- define \"loop\" }}{{ include \"loop\" . }}{{ end }}{{ include \"loop\" . }}"})
	if _, err := renderErr(c, "", nil); err == nil || !strings.Contains(err.Error(), "nested reference name: loop") {
		t.Fatalf("want the recursion limit error, got %v", err)
	}
}

func TestTplSeesValuesIncludesAndTemplateName(t *testing.T) {
	c := testChart(t, "host: auth.example.com\nenv:\n  URL: 'https://{{ .Values.host }}/{{ include \"demo.x\" . }}'\n", map[string]string{
		"_helpers.tpl": "{{ define \"demo.x\" }}cb{{ end }}",
		"a.yaml":       "u: {{ tpl .Values.env.URL . }} n: {{ tpl \"{{ .Template.Name }}\" . }} lit: {{ tpl \"plain\" . }}",
	})
	expect(t, render(t, c, "", nil)["demo/templates/a.yaml"], "u: https://auth.example.com/cb n: demo/templates/a.yaml lit: plain")
}

func TestTplRejectsNonStringLikeHelm(t *testing.T) {
	c := testChart(t, "flag: true\n", map[string]string{"a.yaml": "{{ tpl .Values.flag . }}"})
	if _, err := renderErr(c, "", nil); err == nil || !strings.Contains(err.Error(), "wrong type for value; expected string; got bool") {
		t.Fatalf("want the type error Helm gives, got %v", err)
	}
}

func TestRequiredFailsWithHelmMessage(t *testing.T) {
	c := testChart(t, "a: \"\"\n", map[string]string{"a.yaml": "x: {{ required \"a is required\" .Values.a }}"})
	_, err := renderErr(c, "", nil)
	if err == nil || err.Error() != "execution error at (demo/templates/a.yaml:1:6): a is required" {
		t.Fatalf("got %v", err)
	}
	out := render(t, c, "a: set\n", nil)
	expect(t, out["demo/templates/a.yaml"], "x: set")
}

func TestFailUsesTheSameWording(t *testing.T) {
	c := testChart(t, "", map[string]string{"a.yaml": "{{ fail \"nope\" }}"})
	if _, err := renderErr(c, "", nil); err == nil || err.Error() != "execution error at (demo/templates/a.yaml:1:3): nope" {
		t.Fatalf("got %v", err)
	}
}

func TestLookupWithoutClusterIsEmptyMap(t *testing.T) {
	c := testChart(t, "", map[string]string{
		"a.yaml": "o: {{ lookup \"v1\" \"Secret\" \"ns\" \"s\" | toJson }} d: [{{ dig \"data\" \"k\" \"none\" (lookup \"v1\" \"Secret\" \"ns\" \"s\") }}] e: {{ empty (lookup \"v1\" \"Secret\" \"ns\" \"s\") }}",
	})
	expect(t, render(t, c, "", nil)["demo/templates/a.yaml"], "o: {} d: [none] e: true")
}

func TestLookupFromClusterObjects(t *testing.T) {
	objs, err := ParseClusterObjects([]byte("apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: ns}\ndata: {k: dmFs}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: t, namespace: other}\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := testChart(t, "", map[string]string{
		"a.yaml": "d: {{ dig \"data\" \"k\" \"\" (lookup \"v1\" \"Secret\" \"ns\" \"s\") }} n: {{ len (lookup \"v1\" \"Secret\" \"\" \"\").items }} m: {{ lookup \"v1\" \"Secret\" \"ns\" \"t\" | toJson }}",
	})
	expect(t, render(t, c, "", objs.Lookup)["demo/templates/a.yaml"], "d: dmFs n: 2 m: {}")
}

func TestValuesDeepMergeAndNullDeletes(t *testing.T) {
	// `keep: y` also pins Helm's YAML 1.1 reading of values: an unquoted y is the boolean true.
	c := testChart(t, "a: {b: 1, c: 2, d: {e: 3}}\nlist: [1, 2]\ngone: x\nkeep: y\n", map[string]string{
		"a.yaml": "{{ toYaml .Values }}",
	})
	expect(t, render(t, c, "a: {b: 9, d: {f: 4}}\nlist: [7]\ngone: null\nnew: z\n", nil)["demo/templates/a.yaml"],
		"a:\n  b: 9\n  c: 2\n  d:\n    e: 3\n    f: 4\nkeep: true\nlist:\n- 7\nnew: z")
	expect(t, render(t, c, "a: {c: null, d: null}\n", nil)["demo/templates/a.yaml"],
		"a:\n  b: 1\ngone: x\nkeep: true\nlist:\n- 1\n- 2")
}

func TestValueFilesMergeInOrder(t *testing.T) {
	first, _ := ReadValues([]byte("a: {b: 1, c: 1}\nl: [1]\n"))
	second, _ := ReadValues([]byte("a: {c: 2}\nl: [2]\n"))
	got := toYAML(MergeValueFiles([]map[string]interface{}{first, second}))
	expect(t, got, "a:\n  b: 1\n  c: 2\nl:\n- 2")
}

func TestScalarOverTableWinsAndWarns(t *testing.T) {
	defaults, _ := ReadValues([]byte("a: {b: {c: 1}}\n"))
	user, _ := ReadValues([]byte("a: {b: 5}\n"))
	vals, warnings := CoalesceValues(defaults, user)
	expect(t, toYAML(vals), "a:\n  b: 5")
	if len(warnings) != 1 || !strings.Contains(warnings[0], "cannot overwrite table with non table for a.b") {
		t.Errorf("got %v", warnings)
	}
	user2, _ := ReadValues([]byte("a: {b: {c: {d: 1}}}\n"))
	_, warnings = CoalesceValues(defaults, user2)
	if len(warnings) != 1 || !strings.Contains(warnings[0], "destination for a.b.c is a table") {
		t.Errorf("got %v", warnings)
	}
}

func TestCapabilitiesReleaseAndChart(t *testing.T) {
	c := testChart(t, "", map[string]string{
		"a.yaml": "{{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.KubeVersion.Major }}.{{ .Capabilities.KubeVersion.Minor }} {{ .Capabilities.APIVersions.Has \"policy/v1\" }} {{ .Capabilities.APIVersions.Has \"monitoring.coreos.com/v1\" }} {{ .Capabilities.APIVersions.Has \"extensions/v1beta1\" }} {{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.Service }} {{ .Release.IsInstall }} {{ .Chart.Name }}-{{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Template.BasePath }}",
	})
	expect(t, render(t, c, "", nil)["demo/templates/a.yaml"], "v1.29.3 1.29 true true false rel ns Helm true demo-1.2.3 4.5.6 demo/templates")
}

func TestKubeVersionConstraint(t *testing.T) {
	c := testChart(t, "", map[string]string{"a.yaml": "x: 1"})
	c.Metadata.KubeVersion = ">=1.30.0-0"
	if _, err := renderErr(c, "", nil); err == nil || !strings.Contains(err.Error(), "incompatible with Kubernetes v1.29.3") {
		t.Fatalf("got %v", err)
	}
}

func TestFilesAccessors(t *testing.T) {
	c := testChart(t, "", map[string]string{
		"a.yaml": "{{ .Files.Get \"files/motd.txt\" | trim }}|{{ len (.Files.Lines \"files/motd.txt\") }}|{{ .Files.Glob \"files/*\" | len }}|{{ (.Files.Glob \"files/*\").AsConfig }}",
	})
	expect(t, render(t, c, "", nil)["demo/templates/a.yaml"], "hello\nworld|2|1|motd.txt: |\n  hello\n  world")
}

func TestEnvFunctionsAreRemoved(t *testing.T) {
	c := testChart(t, "", map[string]string{"a.yaml": "{{ env \"HOME\" }}"})
	if _, err := renderErr(c, "", nil); err == nil || !strings.Contains(err.Error(), `function "env" not defined`) {
		t.Fatalf("got %v", err)
	}
}

func TestSprigFunctionsPresent(t *testing.T) {
	c := testChart(t, "l: [a, b]\n", map[string]string{
		"a.yaml": "{{ join \",\" .Values.l }} {{ \"abc\" | b64enc }} {{ \"x\" | sha256sum | trunc 8 }} {{ len (randAlphaNum 12) }} {{ semverCompare \">=1.2\" \"1.3.0\" }} {{ dict \"k\" 1 | toJson }} {{ list 1 2 | last }} {{ ternary \"y\" \"n\" true }}",
	})
	expect(t, render(t, c, "", nil)["demo/templates/a.yaml"], "a,b YWJj 2d711642 12 true {\"k\":1} 2 y")
}

func TestFromYamlAndFromJson(t *testing.T) {
	c := testChart(t, "", map[string]string{
		"a.yaml": "{{ (fromYaml \"a: {b: 2}\").a.b }} {{ (fromJson \"{\\\"x\\\": [1]}\").x | toJson }} {{ (fromYaml \"- x\").Error | contains \"cannot unmarshal\" }} {{ fromYamlArray \"[1, 2]\" | len }}",
	})
	expect(t, render(t, c, "", nil)["demo/templates/a.yaml"], "2 [1] true 2")
}

func TestWhitespaceOnlyOutputIsDroppedAndDocumentsSplit(t *testing.T) {
	c := testChart(t, "on: false\n", map[string]string{
		"a.yaml": "{{- if .Values.on }}\nkind: ConfigMap\n{{- end }}\n",
		"b.yaml": "kind: Deployment\n---\nkind: ServiceAccount\n",
	})
	res, err := RenderChart(c, map[string]interface{}{}, Options{Release: "r", Namespace: "n"}, mustCaps(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, m := range res.Manifests {
		kinds = append(kinds, m.Kind)
	}
	expect(t, strings.Join(kinds, ","), "ServiceAccount,Deployment")
}

func TestNotesAreRenderedApart(t *testing.T) {
	c := testChart(t, "", map[string]string{"NOTES.txt": "Installed {{ .Release.Name }}.\n", "a.yaml": "kind: Service"})
	out := render(t, c, "", nil)
	expect(t, out["NOTES"], "Installed rel.")
	if _, ok := out["demo/templates/NOTES.txt"]; ok {
		t.Error("NOTES.txt must not be a manifest")
	}
}

func TestSchemaValidationRejectsWrongType(t *testing.T) {
	c := testChart(t, "port: 4181\n", map[string]string{"a.yaml": "x: 1"})
	c.Schema = []byte(`{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {"port": {"type": "integer"}}}`)
	if _, err := renderErr(c, "", nil); err != nil {
		t.Fatalf("a float64 4181 is an integer for the schema, as in Helm: %v", err)
	}
	if _, err := renderErr(c, "port: \"4181\"\n", nil); err == nil || !strings.Contains(err.Error(), "port: Invalid type. Expected: integer, given: string") {
		t.Fatalf("got %v", err)
	}
}

func TestLoadChartFromDisk(t *testing.T) {
	dir := t.TempDir()
	must := func(p, s string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must("Chart.yaml", "apiVersion: v2\nname: disk\nversion: 0.1.0\nappVersion: \"0.1.0\"\n")
	must("values.yaml", "a: 1\n")
	must("templates/cm.yaml", "kind: ConfigMap\ndata:\n  {{- (.Files.Glob \"conf/*\").AsConfig | nindent 2 }}\n")
	must("conf/x.ini", "k = v\n")
	must("notes.bak", "ignored")
	must(".helmignore", "# comment\n*.bak\n")
	c, err := LoadChart(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Files["notes.bak"]; ok {
		t.Error(".helmignore not applied")
	}
	res, err := RenderChart(c, map[string]interface{}{}, Options{Release: "r", Namespace: "n"}, mustCaps(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, res.Manifests[0].Content, "kind: ConfigMap\ndata:\n  x.ini: |\n    k = v")
}

func mustCaps(t *testing.T) *Capabilities {
	caps, err := NewCapabilities("v1.30.0", nil)
	if err != nil {
		t.Fatal(err)
	}
	return caps
}

func TestStrictModeFailsOnMissingKey(t *testing.T) {
	c := testChart(t, "a: {}\n", map[string]string{"a.yaml": "v: {{ .Values.a.missing }}"})
	caps := mustCaps(t)
	_, err := RenderChart(c, map[string]interface{}{}, Options{Release: "r", Namespace: "n", Strict: true}, caps, nil)
	if err == nil || !strings.Contains(err.Error(), `map has no entry for key "missing"`) {
		t.Fatalf("got %v", err)
	}
}
