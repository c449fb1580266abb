package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/ghodss/yaml"
)

// This file is a small copy of what helm.sh/helm/v3/pkg/engine does, written against the same libraries
// Helm uses (text/template, sprig v3, ghodss/sigs.k8s.io yaml): the function map, `include`, `tpl`,
// `required`, `lookup`, missingkey=zero with "<no value>" erased, and Helm's error wording.

const recursionMaxNums = 1000

// LookupFunc answers `lookup apiVersion kind namespace name` as Helm's client does; without a cluster
// (`helm template`) it answers an empty map.
type LookupFunc func(apiVersion, kind, namespace, name string) (map[string]interface{}, error)

func emptyLookup(string, string, string, string) (map[string]interface{}, error) {
	return map[string]interface{}{}, nil
}

// funcMap is Helm's engine.funcMap(): sprig's text functions without `env` and `expandenv`, plus the
// serialisation helpers (toToml/fromToml and toYamlPretty are left out: a template using them fails to
// parse here rather than render differently from Helm). `include`, `tpl`, `required` and `lookup` are bound per render.
func funcMap() template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	extra := template.FuncMap{
		"toYaml":        toYAML,
		"mustToYaml":    mustToYAML,
		"fromYaml":      fromYAML,
		"fromYamlArray": fromYAMLArray,
		"toJson":        toJSON,
		"mustToJson":    mustToJSON,
		"fromJson":      fromJSON,
		"fromJsonArray": fromJSONArray,
		"include":       func(string, interface{}) string { return "not implemented" },
		"tpl":           func(string, interface{}) interface{} { return "not implemented" },
		"required":      func(string, interface{}) (interface{}, error) { return "not implemented", nil },
		"lookup": func(string, string, string, string) (map[string]interface{}, error) {
			return map[string]interface{}{}, nil
		},
	}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

// toYAML is Helm's: sigs.k8s.io/yaml (ghodss) marshalling, so keys are sorted, lists sit at their parent
// key's indentation, indentation is 2 spaces; the trailing newline is trimmed; errors give "".
func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func mustToYAML(v interface{}) (string, error) {
	data, err := yaml.Marshal(v)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(data), "\n"), nil
}

func fromYAML(str string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(str string) []interface{} {
	a := []interface{}{}
	if err := yaml.Unmarshal([]byte(str), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func mustToJSON(v interface{}) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(data), nil
}

func fromJSON(str string) map[string]interface{} {
	m := make(map[string]interface{})
	if err := json.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(str string) []interface{} {
	a := []interface{}{}
	if err := json.Unmarshal([]byte(str), &a); err != nil {
		a = []interface{}{err.Error()}
	}
	return a
}

// Helm marks `required`/`fail` messages so it can cut the template trace off the error it reports.
const (
	warnStartDelim = "HELM_ERR_START"
	warnEndDelim   = "HELM_ERR_END"
)

func warnWrap(warn string) string { return warnStartDelim + warn + warnEndDelim }

// cleanupExecError mirrors engine.cleanupExecError: `required` and `fail` become
// "execution error at (<file>:<line>:<col>): <message>".
func cleanupExecError(filename string, err error) error {
	if _, ok := err.(template.ExecError); !ok {
		return err
	}
	tokens := strings.SplitN(err.Error(), ": ", 3)
	if len(tokens) != 3 {
		return fmt.Errorf("%s: %w", filename, err)
	}
	location := tokens[1]
	start := strings.Index(tokens[2], warnStartDelim)
	end := strings.Index(tokens[2], warnEndDelim)
	if start < 0 || end < 0 {
		return err
	}
	return fmt.Errorf("execution error at (%s): %s", location, tokens[2][start+len(warnStartDelim):end])
}

// Engine renders one chart. Strict is Helm's --strict lint mode (missingkey=error).
type Engine struct {
	Strict bool
	Lookup LookupFunc
}

func (e Engine) missingKeyOption() string {
	if e.Strict {
		return "missingkey=error"
	}
	return "missingkey=zero"
}

func (e Engine) initFuncMap(t *template.Template) {
	f := funcMap()
	includedNames := map[string]int{}
	f["include"] = includeFun(t, includedNames)
	f["tpl"] = tplFun(t, includedNames, e.missingKeyOption())
	f["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, errors.New(warnWrap(warn))
		} else if s, ok := val.(string); ok && s == "" {
			return val, errors.New(warnWrap(warn))
		}
		return val, nil
	}
	f["fail"] = func(msg string) (string, error) { return "", errors.New(warnWrap(msg)) }
	lookup := e.Lookup
	if lookup == nil {
		lookup = emptyLookup
	}
	f["lookup"] = lookup
	t.Funcs(f)
}

func includeFun(t *template.Template, includedNames map[string]int) func(string, interface{}) (string, error) {
	return func(name string, data interface{}) (string, error) {
		var buf strings.Builder
		if v, ok := includedNames[name]; ok {
			if v > recursionMaxNums {
				return "", fmt.Errorf("unable to execute template: rendering template has a nested reference name: %s", name)
			}
			includedNames[name]++
		} else {
			includedNames[name] = 1
		}
		err := t.ExecuteTemplate(&buf, name, data)
		includedNames[name]--
		return buf.String(), err
	}
}

// tplFun is Helm's `tpl`: the string is parsed into a clone of the whole template set (so it can call
// `include` and see every `define`), under the calling template's name, and run against `vals`.
func tplFun(parent *template.Template, includedNames map[string]int, missingKey string) func(string, interface{}) (string, error) {
	return func(tpl string, vals interface{}) (string, error) {
		t, err := parent.Clone()
		if err != nil {
			return "", fmt.Errorf("cannot clone template: %w", err)
		}
		t.Option(missingKey)
		t.Funcs(template.FuncMap{
			"include": includeFun(t, includedNames),
			"tpl":     tplFun(t, includedNames, missingKey),
		})
		t, err = t.New(parent.Name()).Parse(tpl)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", tpl, err)
		}
		var buf strings.Builder
		if err := t.Execute(&buf, vals); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", tpl, err)
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
}

// Render executes every template of the chart with `top` (Helm's render values: .Values, .Release, .Chart,
// .Capabilities, .Files) and returns the output per template name. Partials (`_*`) are parsed but not
// rendered. `.Template` is set per file, as Helm does.
func (e Engine) Render(c *Chart, top map[string]interface{}) (map[string]string, error) {
	t := template.New("gotpl")
	t.Option(e.missingKeyOption())
	e.initFuncMap(t)
	names := sortedTemplateNames(c.Templates)
	for _, name := range names {
		if _, err := t.New(name).Parse(c.Templates[name]); err != nil {
			return nil, fmt.Errorf("parse error in %q: %w", name, err)
		}
	}
	rendered := map[string]string{}
	for _, name := range names {
		if strings.HasPrefix(path.Base(name), "_") {
			continue
		}
		vals := map[string]interface{}{}
		for k, v := range top {
			vals[k] = v
		}
		vals["Template"] = map[string]interface{}{"Name": name, "BasePath": path.Join(c.Metadata.Name, "templates")}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, name, vals); err != nil {
			return nil, cleanupExecError(name, err)
		}
		rendered[name] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return rendered, nil
}
